"""What every study's command line shares: one error line, comma lists, tables, and options
generated from the settings dataclasses.

A verb takes its settings as one dataclass and lets `config_options` write the options::

    @app.command("run")
    @config_options(LadderConfig, nested={"trend": ""})
    def run_command(config: LadderConfig, out: Out = None) -> None:
        with user_errors():
            result = run_ladder(config, out=out)

Each field becomes `--field-name` with the field's default and its `metadata["help"]`, so help
text and defaults live once, in the dataclass. Tuples are comma lists; a nested dataclass field
`lat` gives `--lat-steps`, `--lat-lr` (prefix configurable). Building the dataclass runs its
`__post_init__` checks, whose `UserError` becomes one line.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from reprolab.core.errors import UserError

console = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `error: message` as one line (markup escaped) and return the Exit to raise."""
    console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


@contextmanager
def user_errors(interrupted: str | Callable[[], str] = "nothing was lost") -> Iterator[None]:
    """Turn a `UserError` into one red line and exit 1, and Ctrl-C into one line saying what was
    kept (`interrupted`, or what it returns when called at the interrupt) and exit 130. Any other
    exception keeps its traceback."""
    try:
        yield
    except UserError as error:
        raise fail(str(error)) from None
    except KeyboardInterrupt:
        kept = interrupted() if callable(interrupted) else interrupted
        console.print(f"[yellow]interrupted:[/yellow] {escape(kept)}")
        raise typer.Exit(130) from None


def split_list(text: str) -> tuple[str, ...]:
    """`"a, b,,c"` -> `("a", "b", "c")`."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _cell(value: Any, digits: int) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return escape(str(value))


def print_frame(frame: Any, title: str, *, columns: list[str] | None = None,
                limit: int | None = None, digits: int = 4) -> None:
    """Print a pandas DataFrame (optionally some `columns`, the first `limit` rows) to stdout."""
    frame = frame if columns is None else frame[columns]
    table = Table(*(escape(str(c)) for c in frame.columns), title=escape(title))
    for row in frame.head(limit).itertuples(index=False):
        table.add_row(*(_cell(v, digits) for v in row))
    Console().print(table)


def print_mapping(mapping: Mapping[str, Any], title: str) -> None:
    """Print `quantity | value` rows to stdout."""
    import json

    table = Table("quantity", "value", title=escape(title))
    for key, value in mapping.items():
        shown = json.dumps(value) if isinstance(value, dict | list | tuple) else _cell(value, 6)
        table.add_row(escape(str(key)), shown)
    Console().print(table)


# --- options from dataclasses ---------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Option:
    """One generated option: `path` is the field path into the config (`("lat", "steps")`)."""

    name: str
    path: tuple[str, ...]
    annotation: Any
    default: Any
    item_type: type | None  # for a comma list: the type of each item
    choices: tuple[str, ...] = ()  # for a Literal field: the values it takes

    def parse(self, value: Any) -> Any:
        """A comma list's text -> a tuple of `item_type`; a Literal's value checked (one line,
        not click's usage box); any other value as typer gave it."""
        flag = "--" + self.name.replace("_", "-")
        if value is None:
            return value
        if self.choices and value not in self.choices:
            raise UserError(f"{flag} takes one of {', '.join(self.choices)}, got {value!r}.")
        if self.item_type is None:
            return value
        try:
            return tuple(self.item_type(item) for item in split_list(value))
        except ValueError:
            raise UserError(f"{flag} takes a comma list of {self.item_type.__name__}, "
                            f"got {value!r}.") from None


def _without_none(annotation: Any) -> tuple[Any, bool]:
    """`X | None` -> `(X, True)`; anything else -> `(annotation, False)`."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _is_tuple(annotation: Any) -> bool:
    return typing.get_origin(annotation) is tuple


def _is_literal(annotation: Any) -> bool:
    return typing.get_origin(annotation) is typing.Literal


def _item_type(annotation: Any) -> type:
    """`tuple[int, ...]` -> `int`; the items of a comma-list option are parsed with it."""
    item = typing.get_args(annotation)[0]
    assert item in (str, int, float), f"comma lists of {item} are not supported"
    return item


def _field_default(field: dataclasses.Field) -> Any:
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return ...


def _options(cls: type, prefix: str, path: tuple[str, ...], nested: Mapping[str, str | None],
             skip: frozenset[str], defaults: Any = None) -> list[_Option]:
    """One option per field of `cls`; `defaults`, the parent's default instance of `cls` when it
    is nested, overrides the class's own defaults (`field(default_factory=lambda: T(lr=...))`)."""
    hints = typing.get_type_hints(cls)
    options = []
    for field in dataclasses.fields(cls):
        dotted = ".".join((*path, field.name))
        if dotted in skip or not field.init:
            continue
        annotation, optional = _without_none(hints[field.name])
        default = _field_default(field) if defaults is None else getattr(defaults, field.name)
        if dataclasses.is_dataclass(annotation):
            sub_prefix = nested.get(dotted, f"{field.name}_")
            if sub_prefix is None:  # this nested config keeps its defaults
                continue
            assert default is not None, f"{dotted}: give an optional nested config a default"
            options += _options(annotation, prefix + sub_prefix, (*path, field.name), nested,
                                skip, default if dataclasses.is_dataclass(default) else None)
            continue
        help_text = field.metadata.get("help")
        assert help_text, f"{cls.__name__}.{field.name} needs metadata={{'help': ...}}"
        item_type = _item_type(annotation) if _is_tuple(annotation) else None
        if item_type is not None:
            annotation = str
            default = None if default is None else ",".join(map(str, default))
        choices = tuple(map(str, typing.get_args(annotation))) if _is_literal(annotation) else ()
        if choices:
            annotation = str
            help_text = f"{help_text} (one of: {', '.join(choices)})"
        if optional or default is None:
            annotation = annotation | None
        options.append(_Option(prefix + field.name, (*path, field.name),
                               Annotated[annotation, typer.Option(help=help_text)], default,
                               item_type, choices))
    return options


def _build(cls: type, values: Mapping[tuple[str, ...], Any], path: tuple[str, ...] = (),
           defaults: Any = None) -> Any:
    """The dataclass `cls` from `{field path: value}`; fields not given keep their defaults
    (those of `defaults`, the parent's default instance, for a nested one)."""
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for field in dataclasses.fields(cls):
        key = (*path, field.name)
        annotation, _ = _without_none(hints[field.name])
        if key in values:
            kwargs[field.name] = values[key]
        elif dataclasses.is_dataclass(annotation) and any(k[:len(key)] == key for k in values):
            default = _field_default(field) if defaults is None else getattr(defaults,
                                                                             field.name)
            kwargs[field.name] = _build(annotation, values, key,
                                        default if dataclasses.is_dataclass(default) else None)
    return cls(**kwargs) if defaults is None else dataclasses.replace(defaults, **kwargs)


def config_options(cls: type, *, nested: Mapping[str, str | None] | None = None,
                   skip: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Replace the verb's `config` parameter by one option per field of dataclass `cls`.

    `nested` maps a nested field's dotted path to its option prefix (`""`: no prefix; `None`: no
    options, defaults kept); by default `lat` gives `--lat-...`. `skip` lists dotted field paths
    that get no option. The verb is called with the built config and its other parameters.
    """
    options = _options(cls, "", (), nested or {}, frozenset(skip))
    names = [option.name for option in options]
    assert len(set(names)) == len(names), f"{cls.__name__}: options collide: {names}"

    def decorate(func: F) -> F:
        signature = inspect.signature(func)
        assert "config" in signature.parameters, f"{func.__name__} needs a `config` parameter"
        others = [p for name, p in signature.parameters.items() if name != "config"]
        clash = set(names) & {p.name for p in others}
        assert not clash, f"{func.__name__}: {sorted(clash)} are both options and parameters"
        parameters = [inspect.Parameter(
            o.name, inspect.Parameter.KEYWORD_ONLY,
            default=inspect.Parameter.empty if o.default is ... else o.default,
            annotation=o.annotation) for o in options]
        hints = typing.get_type_hints(func, include_extras=True)
        parameters += [p.replace(kind=inspect.Parameter.KEYWORD_ONLY,
                                 annotation=hints.get(p.name, p.annotation)) for p in others]

        @functools.wraps(func)
        def verb(**kwargs: Any) -> Any:
            with user_errors():
                values = {option.path: option.parse(kwargs.pop(option.name))
                          for option in options}
                config = _build(cls, values)
            return func(config, **kwargs)

        verb.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        verb.__annotations__ = {p.name: p.annotation for p in parameters}
        del verb.__wrapped__  # typer must read the new signature, not the original's
        return verb  # type: ignore[return-value]

    return decorate
