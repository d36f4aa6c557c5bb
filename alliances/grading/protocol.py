"""The answer protocol: values cross between the sandbox and the checker as JSON, never pickle.

A small typed encoding covers numbers, text, lists, sets, dicts, numpy scalars and arrays, pandas
Series/DataFrame/Index and timestamps. A function becomes a proxy in the checker: calling it sends
the (encoded) arguments to the sandbox, which calls the student's function there and sends back
only the encoded result. A matplotlib Axes is reduced to a JSON description (titles, labels,
lines, bars) inside the sandbox and redrawn in the checker. ``MAX_LINE`` and ``MAX_ITEMS`` bound
the size of one message and of one encoded answer.
"""

from __future__ import annotations

import base64
import datetime

__all__ = ["encode", "decode", "Unsupported", "AnswerError", "MAX_LINE", "MAX_ITEMS"]

MAX_LINE = 64 * 1024 * 1024   # bytes of one protocol message

MAX_ITEMS = 5_000_000         # values in one encoded answer


class Unsupported:
    """Stands in the checker for a value that cannot leave the sandbox as data."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self):
        return f"<{self.kind} (cannot be graded: not a number, text, collection, table or figure)>"


def _axes(ax, enc) -> dict:
    def texts(items):
        return [str(t.get_text()) for t in items]
    return {"__t": "Axes", "title": [ax.get_title(loc=w) for w in ("left", "center", "right")],
            "xlabel": str(ax.get_xlabel()), "ylabel": str(ax.get_ylabel()),
            "lines": [[enc(list(map(_plain, ln.get_xdata()))), enc(list(map(_plain, ln.get_ydata()))),
                       str(ln.get_label())] for ln in ax.get_lines()],
            "bars": [[float(p.get_x()), float(p.get_y()), float(p.get_width()), float(p.get_height())]
                     for p in ax.patches if type(p).__name__ == "Rectangle"],
            "texts": texts(ax.texts)}


def _plain(x):
    return x.item() if hasattr(x, "item") and not isinstance(x, (list, tuple)) else x


def encode(value, functions: dict | None = None) -> object:
    """``value`` as JSON-able data; functions are registered in ``functions`` by id."""
    import numpy as np
    import pandas as pd
    count = [0]

    def enc(v, depth=0):
        count[0] += 1
        if count[0] > MAX_ITEMS or depth > 40:
            raise ValueError("answer too large or nested too deeply")
        if v is None or type(v) in (bool, str):
            return v
        if v is Ellipsis:
            return {"__t": "ellipsis"}
        if type(v) is int:
            return v if abs(v) < 2 ** 53 else {"__t": "int", "v": str(v)}
        if type(v) is float:
            return {"__t": "float", "v": repr(v)} if v != v or v in (float("inf"), float("-inf")) else v
        if isinstance(v, np.generic):
            return {"__t": "np", "dtype": str(v.dtype), "v": enc(v.item(), depth + 1)}
        if isinstance(v, bool):
            return bool(v)
        if isinstance(v, int):
            return enc(int(v), depth + 1)
        if isinstance(v, float):
            return enc(float(v), depth + 1)
        if isinstance(v, str):
            return str.__str__(v)
        if isinstance(v, (bytes, bytearray)):
            return {"__t": "bytes", "v": base64.b64encode(bytes(v)).decode()}
        if isinstance(v, (list, tuple, set, frozenset, range)):
            kind = {list: "list", tuple: "tuple", set: "set", frozenset: "frozenset", range: "list"}
            tag = next((t for c, t in kind.items() if isinstance(v, c)), "list")
            items = [enc(x, depth + 1) for x in list(v)]
            return items if tag == "list" else {"__t": tag, "v": items}
        if isinstance(v, dict):
            return {"__t": "dict", "v": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in list(v.items())]}
        if v is pd.NaT:
            return {"__t": "NaT"}
        if v is pd.NA:
            return {"__t": "NA"}
        if isinstance(v, pd.Timestamp):
            return {"__t": "Timestamp", "v": v.isoformat()}
        if isinstance(v, (datetime.datetime, datetime.date)):
            kind = "datetime" if isinstance(v, datetime.datetime) else "date"
            return {"__t": kind, "v": type(v).isoformat(v)}
        if isinstance(v, pd.Index):
            return {"__t": "Index", "v": [enc(x, depth + 1) for x in v.tolist()], "names": enc(list(v.names)),
                    "dtype": str(v.dtype)}
        if isinstance(v, pd.Series):
            return {"__t": "Series", "v": [enc(x, depth + 1) for x in v.tolist()], "index": enc(v.index, depth + 1),
                    "name": enc(v.name, depth + 1), "dtype": str(v.dtype)}
        if isinstance(v, pd.DataFrame):
            return {"__t": "DataFrame", "columns": enc(v.columns, depth + 1), "index": enc(v.index, depth + 1),
                    "v": [enc(v.iloc[:, i], depth + 1) for i in range(v.shape[1])]}
        if isinstance(v, np.ndarray):
            return {"__t": "ndarray", "dtype": str(v.dtype), "v": enc(v.tolist(), depth + 1)}
        if type(v).__name__ == "Axes" or any(c.__name__ == "Axes" for c in type(v).__mro__):
            return _axes(v, lambda x: enc(x, depth + 1))
        if callable(v) and functions is not None:
            ref = str(len(functions))
            functions[ref] = v
            return {"__t": "function", "ref": ref, "name": str(getattr(v, "__name__", "function"))}
        return {"__t": "unsupported", "kind": type(v).__name__[:80]}

    return enc(value)


def decode(data, call=None):
    """The value that ``encode`` described; ``call(ref, args, kwargs)`` backs function proxies."""
    import numpy as np
    import pandas as pd

    def dec(d):
        if isinstance(d, list):
            return [dec(x) for x in d]
        if not isinstance(d, dict):
            return d
        t = d.get("__t")
        if t == "int":
            return int(d["v"])
        if t == "ellipsis":
            return ...
        if t == "float":
            return float(d["v"])
        if t == "np":
            return np.dtype(d["dtype"]).type(dec(d["v"]))
        if t == "bytes":
            return base64.b64decode(d["v"])
        if t in ("tuple", "set", "frozenset"):
            return {"tuple": tuple, "set": set, "frozenset": frozenset}[t](_hashable(dec(x)) if t != "tuple" else dec(x)
                                                                           for x in d["v"])
        if t == "dict":
            return {_hashable(dec(k)): dec(v) for k, v in d["v"]}
        if t == "NaT":
            return pd.NaT
        if t == "NA":
            return pd.NA
        if t == "Timestamp":
            return pd.Timestamp(d["v"])
        if t in ("datetime", "date"):
            return getattr(datetime, t).fromisoformat(d["v"])
        if t == "Index":
            values, names = [_hashable(dec(x)) for x in d["v"]], dec(d["names"])
            if len(names) > 1:
                return pd.MultiIndex.from_tuples(values, names=names)
            return _astype(pd.Index(values, name=names[0] if names else None, dtype=object), d["dtype"])
        if t == "Series":
            return _astype(pd.Series([dec(x) for x in d["v"]], index=dec(d["index"]), name=_hashable(dec(d["name"])),
                                     dtype=object), d["dtype"])
        if t == "DataFrame":
            cols = [dec(c) for c in d["v"]]
            frame = pd.concat(cols, axis=1) if cols else pd.DataFrame(index=dec(d["index"]))
            frame.columns = dec(d["columns"])
            return frame
        if t == "ndarray":
            return np.array(dec(d["v"]), dtype=d["dtype"])
        if t == "Axes":
            return _draw(d, dec)
        if t == "function":
            return _proxy(d, call)
        return Unsupported(str(d.get("kind", "value")))

    return dec(data)


def _hashable(x):
    return tuple(_hashable(i) for i in x) if isinstance(x, list) else x


def _astype(obj, dtype: str):
    try:
        return obj.astype(dtype)
    except Exception:  # an unknown or impossible dtype: keep the values as they are
        return obj


def _draw(d, dec):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    fig, ax = plt.subplots()
    for loc, text in zip(("left", "center", "right"), d["title"]):
        if text:
            ax.set_title(text, loc=loc)
    ax.set_xlabel(d["xlabel"])
    ax.set_ylabel(d["ylabel"])
    for x, y, label in d["lines"]:
        ax.plot(dec(x), dec(y), label=label)
    for x, y, w, h in d["bars"]:
        ax.add_patch(Rectangle((x, y), w, h))
    for text in d["texts"]:
        ax.text(0, 0, text)
    return ax


class AnswerError(Exception):
    """The student's function raised an error (or could not be called) in the sandbox."""


def _proxy(d, call):
    def proxy(*args, **kwargs):
        if call is None:
            raise AnswerError("functions cannot be called here")
        return call(d["ref"], args, kwargs)
    proxy.__name__ = proxy.__qualname__ = d.get("name", "function")
    return proxy
