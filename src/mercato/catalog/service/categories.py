"""The category tree and its typed attributes: public reads, admin management."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.events import CategoryChanged
from mercato.catalog.models import Attribute, Category
from mercato.catalog.policy.attributes import check_definition
from mercato.catalog.policy.listings import slugify
from mercato.catalog.schemas import (
    AttributeIn,
    AttributeOut,
    AttributeUpdate,
    CategoryDetail,
    CategoryIn,
    CategoryOut,
    CategoryUpdate,
)
from mercato.catalog.service._common import refuse, require_admin
from mercato.catalog.service._tree import CategoryTree, load_tree
from mercato.kit import events
from mercato.kit.auth import Principal
from mercato.kit.errors import Conflict, FieldError, NotFound, ValidationFailed
from mercato.kit.ids import new_id

MAX_DEPTH = 6


def _detail(tree: CategoryTree, category: Category) -> CategoryDetail:
    return CategoryDetail(
        id=category.id,
        parent_id=category.parent_id,
        name=category.name,
        slug=category.slug,
        position=category.position,
        path=tree.path(category.id),
        attributes=tree.attributes_out(category.id),
    )


async def list_categories_tree(session: AsyncSession) -> list[CategoryOut]:
    """Every category, as a tree in display order (public)."""
    return (await load_tree(session)).as_tree()


async def list_categories_flat(session: AsyncSession) -> list[CategoryOut]:
    """Every category depth-first with its depth, for pickers."""
    return (await load_tree(session)).flat()


async def get_category(session: AsyncSession, category_id: uuid.UUID) -> CategoryDetail:
    """A category with its path and its attributes, inherited ones first (public)."""
    tree = await load_tree(session)
    category = tree.get(category_id)
    if category is None:
        raise NotFound("No such category.")
    return _detail(tree, category)


async def _check_slug(session: AsyncSession, slug: str, except_id: uuid.UUID | None) -> str:
    if not slug:
        raise ValidationFailed.on("slug", "Give a slug of letters and digits, e.g. ceramics.")
    existing = await repository.get_category_by_slug(session, slug)
    if existing is not None and existing.id != except_id:
        raise ValidationFailed.on("slug", f"The slug “{slug}” is taken by “{existing.name}”.")
    return slug


def _check_parent(tree: CategoryTree, category_id: uuid.UUID | None, parent_id: uuid.UUID) -> None:
    if tree.get(parent_id) is None:
        raise ValidationFailed.on("parent_id", "No such parent category.")
    if category_id is not None and parent_id in tree.descendants(category_id):
        raise ValidationFailed.on("parent_id", "A category cannot move under itself.")
    if len(tree.ancestors(parent_id)) >= MAX_DEPTH:
        raise ValidationFailed.on("parent_id", f"Categories nest at most {MAX_DEPTH} levels deep.")


async def create_category(
    session: AsyncSession, principal: Principal, data: CategoryIn
) -> CategoryDetail:
    """Add a category, at the top level or under a parent (admins)."""
    require_admin(principal)
    tree = await load_tree(session)
    if data.parent_id is not None:
        _check_parent(tree, None, data.parent_id)
    slug = await _check_slug(session, data.slug or slugify(data.name), None)
    category = Category(
        id=new_id(), parent_id=data.parent_id, name=data.name, slug=slug, position=data.position
    )
    session.add(category)
    await session.flush()
    events.record(session, CategoryChanged(category.id))
    return _detail(await load_tree(session), category)


async def update_category(
    session: AsyncSession, principal: Principal, category_id: uuid.UUID, changes: CategoryUpdate
) -> CategoryDetail:
    """Rename, re-slug, move or reorder a category (admins)."""
    require_admin(principal)
    tree = await load_tree(session)
    category = tree.get(category_id)
    if category is None:
        raise NotFound("No such category.")
    given = changes.model_fields_set
    if "parent_id" in given and changes.parent_id != category.parent_id:
        if changes.parent_id is not None:
            _check_parent(tree, category.id, changes.parent_id)
        category.parent_id = changes.parent_id
    if changes.slug is not None:
        category.slug = await _check_slug(session, changes.slug, category.id)
    if changes.name is not None:
        category.name = changes.name
    if changes.position is not None:
        category.position = changes.position
    await session.flush()
    events.record(session, CategoryChanged(category.id))
    return _detail(await load_tree(session), category)


async def delete_category(
    session: AsyncSession, principal: Principal, category_id: uuid.UUID
) -> None:
    """Remove an empty category: no subcategories and no listings (admins)."""
    require_admin(principal)
    category = await repository.get_category(session, category_id)
    if category is None:
        raise NotFound("No such category.")
    if await repository.count_children(session, category_id):
        raise Conflict(f"“{category.name}” has subcategories: move or delete them first.")
    listings = await repository.count_listings_in(session, [category_id])
    if listings:
        raise Conflict(f"{listings} listing(s) use “{category.name}”: move them first.")
    await session.delete(category)
    await session.flush()
    events.record(session, CategoryChanged(category_id))


# --- attributes ----------------------------------------------------------------------------


def _codes_in_line(tree: CategoryTree, category_id: uuid.UUID) -> dict[str, Category]:
    """Attribute codes a new attribute of the category would clash with: those of its
    ancestors (which it inherits) and of its descendants (which would inherit it)."""
    line = [c.id for c in tree.ancestors(category_id)] + tree.descendants(category_id)
    return {
        attribute.code: tree.categories[owner]
        for owner in line
        for attribute in tree.attributes.get(owner, [])
    }


async def add_attribute(
    session: AsyncSession, principal: Principal, category_id: uuid.UUID, data: AttributeIn
) -> AttributeOut:
    """Give a category a typed attribute, inherited by its subcategories (admins)."""
    require_admin(principal)
    tree = await load_tree(session)
    if tree.get(category_id) is None:
        raise NotFound("No such category.")
    allowed = [" ".join(value.split()) for value in data.allowed_values]
    errors = check_definition(data.kind, data.unit, allowed)
    clash = _codes_in_line(tree, category_id).get(data.code)
    if clash is not None:
        errors.append(FieldError("code", f"“{clash.name}” already has an attribute “{data.code}”."))
    refuse(errors)
    attribute = Attribute(
        id=new_id(),
        category_id=category_id,
        code=data.code,
        name=data.name,
        kind=data.kind.value,
        unit=data.unit or None,
        allowed_values=allowed,
        required=data.required,
        position=data.position,
    )
    session.add(attribute)
    await session.flush()
    events.record(session, CategoryChanged(category_id))
    return AttributeOut.model_validate(attribute)


async def update_attribute(
    session: AsyncSession, principal: Principal, attribute_id: uuid.UUID, changes: AttributeUpdate
) -> AttributeOut:
    """Relabel an attribute, change its unit, allowed values, requiredness or position. Its
    code and kind stay: listings store values under them."""
    require_admin(principal)
    attribute = await repository.get_attribute(session, attribute_id)
    if attribute is None:
        raise NotFound("No such attribute.")
    given = changes.model_fields_set
    unit = (changes.unit or None) if "unit" in given else attribute.unit
    allowed = (
        [" ".join(v.split()) for v in changes.allowed_values]
        if changes.allowed_values is not None
        else list(attribute.allowed_values)
    )
    refuse(check_definition(attribute.kind, unit, allowed))
    attribute.unit, attribute.allowed_values = unit, allowed
    if changes.name is not None:
        attribute.name = changes.name
    if changes.required is not None:
        attribute.required = changes.required
    if changes.position is not None:
        attribute.position = changes.position
    await session.flush()
    events.record(session, CategoryChanged(attribute.category_id))
    return AttributeOut.model_validate(attribute)


async def delete_attribute(
    session: AsyncSession, principal: Principal, attribute_id: uuid.UUID
) -> None:
    """Remove an attribute; listings simply stop showing its value."""
    require_admin(principal)
    attribute = await repository.get_attribute(session, attribute_id)
    if attribute is None:
        raise NotFound("No such attribute.")
    await session.delete(attribute)
    await session.flush()
    events.record(session, CategoryChanged(attribute.category_id))
