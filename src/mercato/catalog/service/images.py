"""Listing images: upload (decoded with Pillow before it is stored), thumbnails made by a
background job, ordering, deletion, and who may download which file."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository
from mercato.catalog.models import Image, Listing
from mercato.catalog.policy.images import (
    THUMBNAIL_SIZES,
    BadImage,
    ImageInfo,
    inspect_image,
    render_thumbnail,
)
from mercato.catalog.schemas import ImageOut, ImageStatus, ImageUpdate
from mercato.catalog.service._common import (
    Sellers,
    delete_files_after_commit,
    is_visible,
    listing_changed,
    own_listing,
    own_seller,
)
from mercato.catalog.service._views import image_out
from mercato.kit import clock
from mercato.kit.auth import Principal, Role
from mercato.kit.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from mercato.kit.ids import new_id
from mercato.kit.jobs import enqueue
from mercato.kit.storage import FileStore, sniff_content_type
from mercato.sellers import service as sellers
from mercato.sellers.schemas import SellerOut

log = structlog.get_logger(__name__)

IMAGE_MAX_BYTES = 8 * 1024 * 1024
MAX_IMAGES = 20
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
THUMBNAIL_JOB = "catalog.make_thumbnails"


async def _own_image(
    session: AsyncSession, seller: SellerOut, image_id: uuid.UUID
) -> tuple[Listing, Image]:
    row = await repository.get_image(session, image_id)
    if row is None:
        raise NotFound("No such image.")
    listing = await own_listing(session, seller, row.listing_id)
    return listing, next(image for image in listing.images if image.id == image_id)


def _renumber(listing: Listing, ordered: list[Image]) -> None:
    for position, image in enumerate(ordered):
        image.position = position
    listing.images.sort(key=lambda image: image.position)
    listing.updated_at = clock.now()


async def check_image(data: bytes, *, max_bytes: int = IMAGE_MAX_BYTES) -> ImageInfo:
    """Refuse anything but a real, decodable JPEG, PNG or WebP of a sane size."""
    if not data:
        raise ValidationFailed.on("file", "The file is empty.")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"An image must be at most {max_bytes // (1024 * 1024)} MiB.")
    if sniff_content_type(data[:16]) not in IMAGE_TYPES:
        raise UnsupportedMediaType("Upload a JPEG, PNG or WebP image.")
    try:
        return await asyncio.to_thread(inspect_image, data)
    except BadImage as problem:
        raise ValidationFailed.on("file", str(problem)) from None


async def add_image(
    session: AsyncSession,
    principal: Principal,
    listing_id: uuid.UUID,
    data: bytes,
    files: FileStore,
    *,
    alt_text: str = "",
) -> ImageOut:
    """Store an uploaded image after the end of the listing's gallery; thumbnails follow from
    the ``catalog.make_thumbnails`` job."""
    seller = await own_seller(session, principal)
    listing = await own_listing(session, seller, listing_id)
    if len(listing.images) >= MAX_IMAGES:
        raise Conflict(f"A listing has at most {MAX_IMAGES} images.")
    info = await check_image(data)
    stored = files.save(data, allowed=IMAGE_TYPES, max_bytes=IMAGE_MAX_BYTES)
    image = Image(
        id=new_id(),
        listing_id=listing.id,
        file_key=stored.key,
        content_type=stored.content_type,
        size_bytes=stored.size,
        width=info.width,
        height=info.height,
        position=max((i.position for i in listing.images), default=-1) + 1,
        alt_text=" ".join(alt_text.split())[:200],
        status=ImageStatus.PENDING.value,
    )
    listing.images.append(image)
    listing.updated_at = clock.now()
    await session.flush()
    enqueue(session, THUMBNAIL_JOB, image_id=str(image.id))
    listing_changed(session, listing.id)
    return image_out(image)


async def make_thumbnails(session: AsyncSession, image_id: uuid.UUID, files: FileStore) -> None:
    """Render the small and large WebP thumbnails of one image (idempotent)."""
    image = await repository.get_image(session, image_id)
    if image is None or image.status == ImageStatus.READY:
        return
    base = image.file_key.rsplit(".", 1)[0]
    try:
        data = await asyncio.to_thread(files.read, image.file_key)
        for name, side in THUMBNAIL_SIZES.items():
            thumbnail = await asyncio.to_thread(render_thumbnail, data, side)
            key = f"{base}-{side}.webp"
            await asyncio.to_thread(files.save_derived, key, thumbnail)
            setattr(image, f"{name}_key", key)
    except (OSError, ValueError) as error:
        log.warning("thumbnail_failed", image_id=str(image_id), error=repr(error))
        image.status = ImageStatus.FAILED.value
    else:
        image.status = ImageStatus.READY.value
    await session.flush()
    listing_changed(session, image.listing_id)


async def move_image(
    session: AsyncSession,
    principal: Principal,
    image_id: uuid.UUID,
    direction: Literal["up", "down", "first"],
) -> list[ImageOut]:
    """Move an image one place earlier or later in the gallery, or to the front."""
    seller = await own_seller(session, principal)
    listing, image = await _own_image(session, seller, image_id)
    ordered = sorted(listing.images, key=lambda i: i.position)
    index = ordered.index(image)
    target = {"up": index - 1, "down": index + 1, "first": 0}[direction]
    target = max(0, min(len(ordered) - 1, target))
    ordered.insert(target, ordered.pop(index))
    _renumber(listing, ordered)
    await session.flush()
    listing_changed(session, listing.id)
    return [image_out(i) for i in listing.images]


async def update_image(
    session: AsyncSession, principal: Principal, image_id: uuid.UUID, changes: ImageUpdate
) -> ImageOut:
    seller = await own_seller(session, principal)
    listing, image = await _own_image(session, seller, image_id)
    if changes.alt_text is not None:
        image.alt_text = " ".join(changes.alt_text.split())
    if changes.position is not None:
        ordered = sorted(listing.images, key=lambda i: i.position)
        ordered.remove(image)
        ordered.insert(min(changes.position, len(ordered)), image)
        _renumber(listing, ordered)
    await session.flush()
    listing_changed(session, listing.id)
    return image_out(image)


async def delete_image(
    session: AsyncSession, principal: Principal, image_id: uuid.UUID, files: FileStore
) -> None:
    seller = await own_seller(session, principal)
    listing, image = await _own_image(session, seller, image_id)
    keys = [key for key in (image.file_key, image.small_key, image.large_key) if key]
    listing.images.remove(image)
    _renumber(listing, sorted(listing.images, key=lambda i: i.position))
    await session.flush()
    listing_changed(session, listing.id)
    delete_files_after_commit(session, files, keys)


@dataclass(frozen=True)
class ImageFile:
    key: str
    content_type: str
    public: bool  # anyone may see it (and shared caches may keep it)


async def open_image_file(session: AsyncSession, principal: Principal, key: str) -> ImageFile:
    """The image stored under ``key`` (an original or a thumbnail) if the caller may see it:
    anyone for a visible listing, otherwise only its seller and staff. Others get "not found"."""
    image = await repository.get_image_by_key(session, key)
    listing = await repository.get_listing_row(session, image.listing_id) if image else None
    if image is None or listing is None:
        raise NotFound("No such image.")
    content_type = image.content_type if key == image.file_key else "image/webp"
    if is_visible(listing, await Sellers(session).sellable(listing.seller_id)):
        return ImageFile(key, content_type, public=True)
    if principal.is_staff and principal.fully_authenticated:
        return ImageFile(key, content_type, public=False)
    if principal.role == Role.SELLER and principal.user_id and principal.fully_authenticated:
        seller = await sellers.find_seller_of(session, principal.user_id)
        if seller is not None and seller.id == listing.seller_id:
            return ImageFile(key, content_type, public=False)
    raise NotFound("No such image.")


async def image_alt_texts(session: AsyncSession, keys: Sequence[str]) -> dict[str, str]:
    """Image key (as search indexes it: the small thumbnail's, else the original's) -> the
    seller's alt text, for the images that have one."""
    if not keys:
        return {}
    texts: dict[str, str] = {}
    for image in await repository.list_images_by_keys(session, keys):
        if image.alt_text:
            for key in (image.file_key, image.small_key):
                if key:
                    texts[key] = image.alt_text
    return texts
