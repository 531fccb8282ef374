"""What the structure stage extracts from a document: the pydantic models the record embeds.

Every extracted value can say where it came from (`provenance`) and how sure we are (`confidence`).
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

Role = Literal["lead", "support", "requested", "other"]
CitationRole = Literal["legal_basis", "reference"]


class Provenance(BaseModel):
    page: Optional[int] = Field(None, description="1-based page number the value was read from")
    bbox: Optional[list[int]] = Field(None, description="[x0, y0, x1, y1] in page pixels")
    span: Optional[list[int]] = Field(None, description="[start, end) character offsets into the record's `text`")


class Issuer(BaseModel):
    name: Optional[str] = Field(None, description="issuing agency, e.g. 'ỦY BAN NHÂN DÂN TỈNH NINH THUẬN' or 'SỞ Y TẾ'")
    parent: Optional[str] = Field(None, description="governing agency line above the issuer, e.g. 'UBND TỈNH HẢI DƯƠNG'")


class Document(BaseModel):
    issuer: Issuer = Field(default_factory=Issuer, description="the agency that issued the document, as printed top left")
    symbol: Optional[str] = Field(None, description="số và ký hiệu as printed, e.g. '82/KH-UBND' (number may be blank: '/KH-UBND')")
    number: Optional[str] = Field(None, description="the number part of the symbol, e.g. '82'; null when left blank")
    type: Optional[str] = Field(None, description="document type in words, e.g. 'Kế hoạch', 'Quyết định', 'Công văn'")
    type_code: Optional[str] = Field(None, description="type abbreviation of Decree 30/2020, e.g. 'KH', 'QĐ'; null for công văn")
    place: Optional[str] = Field(None, description="place name of the place-date line, e.g. 'Ninh Thuận'")
    date: Optional[str] = Field(None, description="ISO date (YYYY-MM-DD), or YYYY-MM / YYYY when parts were left blank")
    title: Optional[str] = Field(None, description="trích yếu: the title under the type line, or the 'V/v …' of a công văn")
    confidence: float = Field(0.0, description="0..1, how sure the header parse is")
    provenance: dict[str, Provenance] = Field(default_factory=dict, description="where each header field was read, by field name")


class AuthorityStep(BaseModel):
    authority: str = Field(description="signing authority prefix: TM., KT., Q., TL. or TUQ.")
    of: str = Field(description="the body or office the prefix is for, e.g. 'ỦY BAN NHÂN DÂN', 'CHỦ TỊCH'")


class Signer(BaseModel):
    authority: Optional[str] = Field(None, description="the innermost signing authority prefix (TM., KT., Q., TL., TUQ.); null when the head signs in own name")
    on_behalf_of: Optional[str] = Field(None, description="whom that prefix signs for, e.g. 'ỦY BAN NHÂN DÂN' after TM., 'CHỦ TỊCH' after KT.")
    position: Optional[str] = Field(None, description="the signer's own position, e.g. 'PHÓ CHỦ TỊCH'")
    name: Optional[str] = Field(None, description="the signer's full name")
    chain: list[AuthorityStep] = Field(default_factory=list, description="every authority line of the signer block, outermost first (TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH)")
    confidence: float = Field(0.0, description="0..1, how sure the signer parse is")
    provenance: Optional[Provenance] = Field(None, description="where the signer block was read")


class Citation(BaseModel):
    text: str = Field(description="the citing phrase as printed, e.g. 'Quyết định số 90/QĐ-TTg ngày 18/01/2022 của Thủ tướng Chính phủ'")
    type: Optional[str] = Field(None, description="type of the cited document: Quyết định, Thông tư, Chỉ thị, Nghị quyết, Kế hoạch, Công văn, Nghị định, Luật …")
    number: Optional[str] = Field(None, description="number part of the cited symbol, e.g. '90'")
    symbol: Optional[str] = Field(None, description="cited số và ký hiệu, normalized (no OCR spaces, QD→QĐ), e.g. '90/QĐ-TTg'; null for a law cited by name")
    title: Optional[str] = Field(None, description="name of a document cited by name, e.g. 'Luật Tổ chức chính quyền địa phương'")
    date: Optional[str] = Field(None, description="ISO date of the cited document (YYYY-MM-DD, or partial)")
    issuer: Optional[str] = Field(None, description="who issued it, from 'của …', e.g. 'Thủ tướng Chính phủ'")
    role: CitationRole = Field("reference", description="legal_basis for the preamble items (Căn cứ / Thực hiện / Triển khai …), reference elsewhere")
    confidence: float = Field(0.0, description="0..1, how sure the parse is")
    provenance: Provenance = Field(default_factory=Provenance, description="where the citation was read")


class Section(BaseModel):
    marker: str = Field(description="the list marker as printed without punctuation: 'I', '1', '1.2', 'a', 'đ', '-', '+', 'Điều 1'")
    kind: Literal["chapter", "roman", "article", "arabic", "arabic_nested", "letter", "dash", "plus"] = Field(description="which level of the Vietnamese list hierarchy the marker belongs to")
    heading: Optional[str] = Field(None, description="the heading of the item (short line, or text before ':'); null for a plain list item")
    text: str = Field("", description="the item's own text (after the heading), continuation lines joined with newlines")
    children: list["Section"] = Field(default_factory=list, description="nested items")
    provenance: Provenance = Field(default_factory=Provenance, description="span of the whole item, children included")
    heading_provenance: Optional[Provenance] = Field(None, description="where the heading was read (page + bbox when the text came from pages, and its char span)")
    text_provenance: Optional[Provenance] = Field(None, description="where the item's own text was read, children excluded (page + bbox of its first page, and its char span)")


class Deadline(BaseModel):
    raw: str = Field(description="the deadline phrase as printed, e.g. 'trước ngày 10/11', 'hằng năm', 'định kỳ 06 tháng'")
    date: Optional[str] = Field(None, description="normalized date: ISO date or partial (YYYY-MM, YYYY); '--MM-DD' when the year is not printed")
    recurrence: Optional[str] = Field(None, description="ISO 8601 duration of a recurring deadline: P1Y yearly, P6M every six months, P3M quarterly, P1M monthly")
    kind: Literal["by_date", "from_to", "recurring", "on_demand"] = Field(description="by_date: 'trước ngày …'; from_to: 'từ ngày … đến ngày …'; recurring: 'hằng năm', 'định kỳ …'; on_demand: 'đột xuất'")
    provenance: Provenance = Field(default_factory=Provenance, description="where the phrase was read")


class Agency(BaseModel):
    name: str = Field(description="normalized agency name: the gazetteer's canonical name when known, else the printed name tidied")
    printed: str = Field(description="the name as printed in the document")
    gazetteer_id: Optional[str] = Field(None, description="id of the matching entry in models/structure/agencies.json")
    code: Optional[str] = Field(None, description="usual abbreviation, e.g. 'LĐTBXH'")
    level: Optional[Literal["central", "province", "district", "commune", "party", "front", "collective"]] = Field(None, description="administrative level or kind of body")
    valid_on_document_date: Optional[bool] = Field(None, description="whether the agency existed on the document's date (2025 reorganization); null when unknown")
    successor: Optional[str] = Field(None, description="the agency that took over its work after a reorganization, when one did")


class Task(BaseModel):
    text: str = Field(description="one task: a bullet, or one sentence of an agency's paragraph")
    deadlines: list[Deadline] = Field(default_factory=list, description="deadlines stated in the task")
    provenance: Provenance = Field(default_factory=Provenance, description="where the task was read")


class Assignment(BaseModel):
    agency: Agency = Field(description="the agency the work is assigned to")
    role: Role = Field(description="lead (chủ trì), support (phối hợp), requested ('Đề nghị …' to the Front and mass organizations), other")
    tasks: list[Task] = Field(default_factory=list, description="what the agency must do")
    deadlines: list[Deadline] = Field(default_factory=list, description="all deadlines of the tasks, in order")
    source: Literal["implementation_section", "coordination", "lead_support_line", "execution_clause"] = Field(description="where it was found: an item of TỔ CHỨC THỰC HIỆN, a 'phối hợp với …' clause, a 'Đơn vị chủ trì/phối hợp:' line, or the '… chịu trách nhiệm thi hành Quyết định này' clause of a decision (role other)")
    confidence: float = Field(0.0, description="0..1, how sure the parse is")
    provenance: Provenance = Field(default_factory=Provenance, description="where the agency name was read")


class Funding(BaseModel):
    text: str = Field(description="the funding sentence or bullet as printed")
    sources: list[str] = Field(default_factory=list, description="normalized source labels found in it: state_budget, central_budget, local_budget, career_capital, socialized, other_lawful, …")
    amount: Optional[int] = Field(None, description="amount in đồng when one is printed")
    citations: list[str] = Field(default_factory=list, description="symbols of the documents it cites (e.g. the decision that allocated the money)")
    provenance: Provenance = Field(default_factory=Provenance, description="where it was read")


class Recipient(BaseModel):
    name: str = Field(description="the recipient line without its dash, purpose and final ';' or '.', e.g. 'TT Tỉnh ủy, TT HĐND tỉnh'")
    purpose: Optional[str] = Field(None, description="what the copy is for: 'b/c' (để báo cáo), 't/h' (thực hiện), 'p/h', 'biết', 'lưu' …")
    archive: bool = Field(False, description="true for the 'Lưu: VT, …' line")
    provenance: Provenance = Field(default_factory=Provenance, description="where it was read")


class Extraction(BaseModel):
    """Everything the structure stage knows about a document."""

    document: Document = Field(default_factory=Document, description="header fields of the document")
    citations: list[Citation] = Field(default_factory=list, description="every reference to another document, in reading order")
    sections: list[Section] = Field(default_factory=list, description="the section tree I. → 1. → a) → - → +")
    assignments: list[Assignment] = Field(default_factory=list, description="who must do what, by when")
    funding: list[Funding] = Field(default_factory=list, description="the KINH PHÍ section: sources of money and the documents they cite")
    recipients: list[Recipient] = Field(default_factory=list, description="the Nơi nhận list")
    signer: Signer = Field(default_factory=Signer, description="the signer block")


Section.model_rebuild()
