"""A rules file read from YAML with the line of every value, so each mistake can point at it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from msgspec import Struct, field

from reachlint.errors import InputError
from reachlint.limits import MAX_YAML_DEPTH, MAX_YAML_NODES, LimitError, too_many_digits

if TYPE_CHECKING:
    import yaml

# Where a value sits in the document: mapping keys and list positions from the top.
NodePath = tuple[str | int, ...]

_PLAIN_COLLECTIONS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


class Document(Struct):
    file: str
    data: object
    # The line of each value; for a mapping entry, the line of its key (where a reviewer looks).
    lines: dict[NodePath, int] = field(default_factory=dict)
    # The source text of scalar values (`Tier: 1` is the tag value "1", not the number 1).
    raw: dict[NodePath, str] = field(default_factory=dict)

    def line(self, path: NodePath) -> int:
        """The line of the value at `path`, or of the nearest enclosing value that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def error(self, message: str, path: NodePath) -> InputError:
        return InputError(message, self.file, self.line(path))


# A document as JSON holds it (`rules/composed.json`): NodePaths as lists, since JSON keys are
# text.
ComposedDocument = dict[str, object]


def composed(document: Document) -> ComposedDocument:
    """`document` as JSON's types, to be read back by `from_composed`."""
    return {
        "data": document.data,
        "lines": [[list(path), line] for path, line in document.lines.items()],
        "raw": [[list(path), text] for path, text in document.raw.items()],
    }


def from_composed(stored: ComposedDocument, file: str) -> Document:
    lines = stored["lines"]
    raw = stored["raw"]
    assert isinstance(lines, list) and isinstance(raw, list)
    return Document(
        file=file,
        data=stored["data"],
        lines={tuple(path): line for path, line in lines},
        raw={tuple(path): text for path, text in raw},
    )


def load_document(text: str, file: str, *, shipped: bool = False) -> Document:
    """Parse YAML text (one document, safe types only) keeping the line of every value.

    `shipped`: a file of reachlint's own (the built-in packs), composed by libyaml in C, several
    times faster; the files a user or a pull request gives go through the Python composer,
    which stops at reachlint's depth limit with the line of the value too deep.
    """
    import yaml

    try:
        loader = yaml.CSafeLoader(text) if shipped else _bounded_loader(text)
    except yaml.reader.ReaderError as error:  # a control character: refused before parsing
        line = text.count("\n", 0, error.position) + 1
        raise InputError(
            f"invalid YAML: character #x{error.character:04x} is not allowed", file, line
        ) from None
    try:
        node = loader.get_single_node()
        document = Document(file=file, data=None)
        if node is not None:
            document.lines[()] = node.start_mark.line + 1
            document.data = _Builder(loader, document).build(node, (), 0)
        return document
    except LimitError as error:
        raise error.located(file, None) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "unreadable YAML"
        if "got '['" in problem:
            # aws_instance.web[0] inside [...] or {...} is YAML syntax, not an address.
            problem += ' (quote addresses with brackets: "aws_instance.web[0]")'
        raise InputError(
            f"invalid YAML: {problem}", file, mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as error:
        raise InputError(f"invalid YAML: {error}", file) from None
    except ValueError as error:
        raise too_many_digits(error, text, file) or error from None
    finally:
        loader.dispose()


def _bounded_loader(text: str) -> yaml.SafeLoader:
    """A safe loader whose composer, which recurses once per level, stops at the depth limit
    before Python's stack does."""
    import yaml

    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
            self.depth += 1
            if self.depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise LimitError(
                    "the YAML is nested too deeply",
                    MAX_YAML_DEPTH,
                    "levels",
                    line=mark.line + 1 if mark else None,
                )
            node = super().compose_node(parent, index)
            self.depth -= 1
            return node

    return Loader(text)


class _Builder:
    """Turns composed YAML nodes into plain data while recording lines and source text."""

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, document: Document) -> None:
        self.loader = loader
        self.document = document
        self.count = 0

    def build(self, node: yaml.Node, path: NodePath, depth: int) -> object:
        import yaml

        # Aliases can expand a small file into a huge (or self-referencing) tree.
        self.count += 1
        if self.count > MAX_YAML_NODES:
            raise LimitError(
                "the YAML is too large once its aliases are expanded",
                MAX_YAML_NODES,
                "values",
                self.document.file,
                node.start_mark.line + 1,
            )
        if depth > MAX_YAML_DEPTH:
            raise LimitError(
                "the YAML is nested too deeply once its aliases are expanded",
                MAX_YAML_DEPTH,
                "levels",
                self.document.file,
                node.start_mark.line + 1,
            )
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_COLLECTIONS:
            # Scalars go through the safe constructor, which rejects unknown tags itself.
            raise InputError(
                f"invalid YAML: unsupported tag {node.tag!r}",
                self.document.file,
                node.start_mark.line + 1,
            )
        if isinstance(node, yaml.SequenceNode):
            items: list[object] = []
            for index, item in enumerate(node.value):
                item_path = (*path, index)
                self.document.lines[item_path] = item.start_mark.line + 1
                items.append(self.build(item, item_path, depth + 1))
            return items
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        self.document.raw[path] = str(node.value)
        # Scalars take their YAML type (int, bool, str...) from the safe resolver.
        return self.loader.construct_object(node)

    def _mapping(self, node: yaml.MappingNode, path: NodePath, depth: int) -> dict[str, object]:
        import yaml

        self.loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise InputError("a mapping key must be a plain word", self.document.file, line)
            key = str(key_node.value)
            if key in result:
                raise InputError(f"duplicate key {key!r}", self.document.file, line)
            value_path = (*path, key)
            self.document.lines[value_path] = line
            result[key] = self.build(value_node, value_path, depth + 1)
        return result
