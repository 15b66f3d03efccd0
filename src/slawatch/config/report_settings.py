"""The ``report:`` part of a contract or of the whole config: the language reports
are written in and who they come from (SPEC section 7 leaves both to us).

A contract's own ``report`` part wins, key by key, over the config's global one;
without either, reports are in English and carry no branding. The logo's path is
read from the config file's folder (the validation context's ``folder``), and the
file must exist and be a PNG or a JPEG, the images a PDF, a page and a workbook
all take.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from slawatch.config.base import ConfigModel, invalid

_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPEG


class Branding(ConfigModel):
    """Shown in the header of the HTML, PDF and XLSX reports."""

    provider: str | None = Field(default=None, examples=["Example Hosting SAS"])
    customer: str | None = Field(default=None, examples=["Client SA"])
    reference: str | None = Field(default=None, examples=["CTR-2026-042"])
    logo: Path | None = Field(default=None, examples=["logo.png"])

    @field_validator("logo")
    @classmethod
    def _readable_image(cls, logo: Path | None, info: ValidationInfo) -> Path | None:
        """The logo as an absolute path, read from the config file's folder."""
        if logo is None:
            return None
        context = info.context if isinstance(info.context, dict) else {}
        path = Path(os.path.abspath(Path(context.get("folder", ".")) / logo))
        try:
            with path.open("rb") as image:
                magic = image.read(8)
        except OSError as exc:
            raise invalid(f"cannot read {path}: {exc.strerror}", "logo.png") from None
        if not magic.startswith(_IMAGES):
            raise invalid(f"{path} is not a PNG or JPEG image", "logo.png")
        return path


class ReportSettings(ConfigModel):
    """``report:``: the reports' language and branding."""

    locale: Literal["fr", "en"] | None = Field(default=None, examples=["fr"])
    branding: Branding | None = None

    def over(self, default: ReportSettings) -> ReportSettings:
        """These settings, with ``default``'s where these have none."""
        return self.model_copy(
            update={
                "locale": self.locale or default.locale,
                "branding": self.branding or default.branding,
            }
        )
