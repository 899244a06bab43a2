"""The category tree in memory: categories are few (hundreds at most), so every use case that
needs paths or inherited attributes reads the two small tables once."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.models import Attribute, Category
from mercato.catalog.policy.attributes import AttributeSpec
from mercato.catalog.schemas import AttributeOut, CategoryOut


def spec_of(attribute: Attribute) -> AttributeSpec:
    return AttributeSpec(
        code=attribute.code,
        name=attribute.name,
        kind=attribute.kind,
        unit=attribute.unit,
        allowed_values=tuple(attribute.allowed_values or ()),
        required=attribute.required,
    )


def root_path(
    parents: Mapping[uuid.UUID, uuid.UUID | None], category_id: uuid.UUID
) -> list[uuid.UUID]:
    """The ids from the root down to ``category_id``, given each category's parent; it stops at
    a category missing from ``parents`` and is bounded, should the table hold a cycle."""
    chain: list[uuid.UUID] = []
    current: uuid.UUID | None = category_id
    while current is not None and current in parents and len(chain) <= len(parents):
        chain.append(current)
        current = parents[current]
    return list(reversed(chain))


@dataclass
class CategoryTree:
    categories: dict[uuid.UUID, Category]
    children: dict[uuid.UUID | None, list[Category]]
    attributes: dict[uuid.UUID, list[Attribute]]
    parents: dict[uuid.UUID, uuid.UUID | None] = field(init=False)

    def __post_init__(self) -> None:
        self.parents = {id_: category.parent_id for id_, category in self.categories.items()}

    def get(self, category_id: uuid.UUID) -> Category | None:
        return self.categories.get(category_id)

    def ancestors(self, category_id: uuid.UUID) -> list[Category]:
        """From the root down to the category itself."""
        return [self.categories[id_] for id_ in root_path(self.parents, category_id)]

    def path(self, category_id: uuid.UUID) -> list[str]:
        return [category.name for category in self.ancestors(category_id)]

    def descendants(self, category_id: uuid.UUID) -> list[uuid.UUID]:
        """The category and everything below it."""
        found, pending = [], [category_id]
        while pending:
            current = pending.pop()
            found.append(current)
            pending.extend(child.id for child in self.children.get(current, []))
        return found

    def effective_attributes(self, category_id: uuid.UUID) -> list[tuple[Attribute, bool]]:
        """(attribute, inherited) pairs: the ancestors' attributes first, then the category's."""
        result = []
        for category in self.ancestors(category_id):
            for attribute in self.attributes.get(category.id, []):
                result.append((attribute, category.id != category_id))
        return result

    def specs(self, category_id: uuid.UUID) -> list[AttributeSpec]:
        return [spec_of(attribute) for attribute, _ in self.effective_attributes(category_id)]

    def attributes_out(self, category_id: uuid.UUID) -> list[AttributeOut]:
        return [
            AttributeOut.model_validate(attribute).model_copy(update={"inherited": inherited})
            for attribute, inherited in self.effective_attributes(category_id)
        ]

    def as_tree(self) -> list[CategoryOut]:
        def build(parent: uuid.UUID | None, depth: int) -> list[CategoryOut]:
            return [
                CategoryOut(
                    id=c.id,
                    parent_id=c.parent_id,
                    name=c.name,
                    slug=c.slug,
                    position=c.position,
                    depth=depth,
                    children=build(c.id, depth + 1),
                )
                for c in self.children.get(parent, [])
            ]

        return build(None, 0)

    def flat(self) -> list[CategoryOut]:
        """Depth-first, in display order, each with its depth (for select boxes)."""
        result: list[CategoryOut] = []

        def walk(nodes: list[CategoryOut]) -> None:
            for node in nodes:
                result.append(node.model_copy(update={"children": []}))
                walk(node.children)

        walk(self.as_tree())
        return result


async def load_tree(session: AsyncSession) -> CategoryTree:
    categories = await repository.list_categories(session)
    children: dict[uuid.UUID | None, list[Category]] = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)
    attributes: dict[uuid.UUID, list[Attribute]] = defaultdict(list)
    for attribute in await repository.list_attributes(session):
        attributes[attribute.category_id].append(attribute)
    return CategoryTree({c.id: c for c in categories}, children, attributes)
