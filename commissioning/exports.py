"""A market list as a download: CSV or an Excel workbook (XLSX), every row, named after the list and the period.
Both hold the same cells; neither lets a spreadsheet run a cell as a formula."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook

from .selectors.lists import MarketList

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _rows(found: MarketList) -> list[list[str]]:
    return [list(found.columns), *([safe_cell(cell.text) for cell in row] for row in found.rows)]


def _attachment(response: HttpResponse, found: MarketList, market_filter, extension: str) -> HttpResponse:
    name = f"{found.name}-{market_filter.start:%Y%m%d}-{market_filter.end:%Y%m%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def list_download(found: MarketList, market_filter, file_format: str) -> HttpResponse:
    if file_format == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=found.title[:31])
        for row in _rows(found):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE), found, market_filter, "xlsx")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    csv.writer(response).writerows(_rows(found))
    return _attachment(response, found, market_filter, "csv")
