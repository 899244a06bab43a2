"""Listing images: really decoding uploads (never trusting the extension or the client's type),
refusing decompression bombs, and rendering thumbnails. CPU-bound: call from a thread."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# An upload may claim any size in its header; decoding 40 megapixels takes ~160 MB of memory.
# Pillow warns above MAX_IMAGE_PIXELS and raises above twice that; both are refusals here.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
MIN_SIDE = 50
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIZES = {"small": 400, "large": 1200}


class BadImage(ValueError):
    """The upload is not an image we accept; the message is shown to the seller."""


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int
    height: int


def inspect_image(data: bytes) -> ImageInfo:
    """Decode ``data`` fully and describe it; raises :class:`BadImage`."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format or ""
                width, height = probe.size
                if image_format not in FORMATS:
                    raise BadImage("Upload a JPEG, PNG or WebP image.")
                if width * height > MAX_PIXELS:
                    raise BadImage(f"The image is too large ({width} x {height} pixels).")
                probe.verify()  # structure and checksums
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # every pixel: a truncated or corrupt file fails here
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise BadImage("The image has too many pixels.") from None
        except BadImage:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise BadImage(f"The file is not a readable image ({type(error).__name__}).") from None
    if min(width, height) < MIN_SIDE:
        raise BadImage(f"The image must be at least {MIN_SIDE} x {MIN_SIDE} pixels.")
    return ImageInfo(FORMATS[image_format], width, height)


def render_thumbnail(data: bytes, max_side: int) -> bytes:
    """A WebP no larger than ``max_side`` on its longer side, upright per EXIF orientation."""
    with Image.open(io.BytesIO(data)) as source:
        image = ImageOps.exif_transpose(source)
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        output = io.BytesIO()
        image.save(output, "WEBP", quality=82, method=4)
        return output.getvalue()
