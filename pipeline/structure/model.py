"""What the structure stage extracts from a document: the pydantic models the record embeds.

Every extracted value can say where it came from (`provenance`) and how sure we are (`confidence`).
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field


class Provenance(BaseModel):
    page: Optional[int] = Field(None, description="1-based page number the value was read from")
    bbox: Optional[list[int]] = Field(None, description="[x0, y0, x1, y1] in page pixels")
    span: Optional[list[int]] = Field(None, description="[start, end) character offsets into the record's `text`")


class Issuer(BaseModel):
    name: Optional[str] = Field(None, description="issuing agency, e.g. 'ỦY BAN NHÂN DÂN TỈNH NINH THUẬN' or 'SỞ Y TẾ'")
    parent: Optional[str] = Field(None, description="governing agency line above the issuer, e.g. 'UBND TỈNH HẢI DƯƠNG'")


class Document(BaseModel):
    issuer: Issuer = Field(default_factory=Issuer)
    symbol: Optional[str] = Field(None, description="số và ký hiệu as printed, e.g. '82/KH-UBND' (number may be blank: '/KH-UBND')")
    number: Optional[str] = Field(None, description="the number part of the symbol, e.g. '82'; null when left blank")
    type: Optional[str] = Field(None, description="document type in words, e.g. 'Kế hoạch', 'Quyết định', 'Công văn'")
    type_code: Optional[str] = Field(None, description="type abbreviation of Decree 30/2020, e.g. 'KH', 'QĐ'; null for công văn")
    place: Optional[str] = Field(None, description="place name of the place-date line, e.g. 'Ninh Thuận'")
    date: Optional[str] = Field(None, description="ISO date (YYYY-MM-DD), or YYYY-MM / YYYY when parts were left blank")
    title: Optional[str] = Field(None, description="trích yếu: the title under the type line, or the 'V/v …' of a công văn")
    confidence: float = Field(0.0, description="0..1, how sure the header parse is")
    provenance: dict[str, Provenance] = Field(default_factory=dict, description="where each header field was read, by field name")


class Signer(BaseModel):
    authority: Optional[str] = Field(None, description="signing authority prefix: TM., KT., Q., TL., TUQ.")
    on_behalf_of: Optional[str] = Field(None, description="whom the signature is for, e.g. 'ỦY BAN NHÂN DÂN' after TM., 'CHỦ TỊCH' after KT.")
    position: Optional[str] = Field(None, description="the signer's own position, e.g. 'PHÓ CHỦ TỊCH'")
    name: Optional[str] = Field(None, description="the signer's full name")
    confidence: float = 0.0
    provenance: Optional[Provenance] = None


class Extraction(BaseModel):
    """Everything the structure stage knows about a document."""

    document: Document = Field(default_factory=Document)
    citations: list[dict] = Field(default_factory=list)
    sections: list[dict] = Field(default_factory=list)
    assignments: list[dict] = Field(default_factory=list)
    funding: list[dict] = Field(default_factory=list)
    recipients: list[dict] = Field(default_factory=list)
    signer: Signer = Field(default_factory=Signer)
