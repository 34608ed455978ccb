"""The settings reference: every hub.yaml key, its default and its meaning, written from the models.

Generated, never hand-written, so it cannot drift from what hub.yaml accepts: ``tutorhub settings-reference``
prints it and ``--write README.md`` puts it in the README's section (a test checks it is current).
Each model's docstring is the paragraph under its heading; each field's ``description`` is its meaning.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from hub.plugins import ConnectorRegistry
from hub.settings import HubFile

SECTION = "settings-reference"


def settings_reference(registry: ConnectorRegistry) -> str:
    """Markdown: the hub.yaml sections, then each installed connector's ``settings``."""
    shown: dict[type[BaseModel], str] = {}
    parts = [*_sections(HubFile, "", shown)]
    for info in sorted(registry.connectors.values(), key=lambda info: (info.kind, info.name)):
        title = f"`connectors[].settings` of `type: {info.name}` ({info.kind})"
        parts += _sections(info.cls.config_model, "connectors[].settings", shown, title=title)
    return "\n\n".join(parts) + "\n"


def _sections(
    model: type[BaseModel], path: str, shown: dict[type[BaseModel], str], title: str | None = None
) -> Iterator[str]:
    """This model's table, then one section per nested model not documented yet, depth first."""
    heading = title or (f"`{path}`" if path else "Top level of hub.yaml")
    shown.setdefault(model, path)
    lines = [f"#### {heading}", ""]
    if model.__doc__ and model.__doc__ is not BaseModel.__doc__:
        lines += [_paragraph(model.__doc__), ""]
    lines += ["| key | type | default | meaning |", "|---|---|---|---|"]
    attribute_docs = _attribute_docstrings(model)
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, field in model.model_fields.items():
        child = _model_in(field.annotation)
        kind = _type_name(field.annotation)
        if child is not None:
            child_path = _join(path, name, many=_is_sequence(field.annotation))
            if child in shown:
                kind = kind.replace("(below)", f"(as `{shown[child]}`)")
            else:
                shown[child] = child_path
                nested.append((child_path, child))
        meaning = field.description or attribute_docs.get(name, "")
        lines.append(f"| `{name}` | {kind} | {_default(field, child)} | {_cell(meaning)} |")
    yield "\n".join(lines)
    for child_path, child in nested:
        yield from _sections(child, child_path, shown)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "/")


def _attribute_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """The string written under a field (``x: int = 1`` then ``\"\"\"...\"\"\"``), for fields without a
    description, over the model and its bases."""
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls.__module__.startswith(
            "pydantic"
        ):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                found[statement.target.id] = inspect.cleandoc(following.value.value)
    return found


def _paragraph(docstring: str) -> str:
    """A docstring's prose as Markdown paragraphs; it stops at an example (``::``)."""
    paragraphs = []
    for block in inspect.cleandoc(docstring).split("\n\n"):
        if block.rstrip().endswith("::"):
            break
        paragraphs.append(" ".join(line.strip() for line in block.splitlines()))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _join(path: str, name: str, *, many: bool) -> str:
    joined = f"{path}.{name}" if path else name
    return f"{joined}[]" if many else joined


def _args(annotation: Any) -> tuple[Any, ...]:
    return typing.get_args(annotation)


def _is_sequence(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (tuple, list)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds: itself, optional, or as the items of a tuple or list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in _args(annotation):
        if arg is not Ellipsis and (found := _model_in(arg)) is not None:
            return found
    return None


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = [arg for arg in _args(annotation) if arg is not Ellipsis]
    if origin is typing.Literal:
        return " / ".join(f"`{arg}`" for arg in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join("null" if arg is type(None) else _type_name(arg) for arg in args)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (tuple, list):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        key = "text" if typing.get_origin(args[0]) is typing.Literal else _type_name(args[0])
        return f"mapping of {key} to {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping (below)"
    name = getattr(annotation, "__name__", str(annotation))
    return {"str": "text", "int": "integer", "float": "number", "bool": "true / false", "Path": "path",
            "SecretStr": "secret (`{env: NAME}`)", "date": "date (YYYY-MM-DD)"}.get(name, name)  # fmt: skip


def _default(field: FieldInfo, child: type[BaseModel] | None) -> str:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "reference_default" in extra:
        return str(extra["reference_default"])
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        if child is not None and _is_plain_default(value, child):
            return "its defaults"
        return f"`{value.model_dump(mode='json')}`"
    if value is None:
        return "null"
    if isinstance(value, tuple | list) and not value:
        return "none"
    if isinstance(value, tuple):
        value = list(value)
    return f"`{value}`"


def _is_plain_default(value: BaseModel, model: type[BaseModel]) -> bool:
    """Whether ``value`` is just the model's own defaults (shown in its section) or a value of its own."""
    try:
        return value == model()
    except ValidationError:  # a model with required fields has no defaults of its own
        return False
