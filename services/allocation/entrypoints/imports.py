"""HTTP import of an allocation plan (分工方案) from an xlsx upload; see `application/imports.py`."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile

from services.allocation.application.imports import Checked, Importer, PlanImports
from services.allocation.application.plan import MissingHeaders
from services.allocation.entrypoints.api import Service
from services.allocation.entrypoints.schemas import ImportResult, PlannedCommand
from shared.documents.spreadsheets import MAX_BYTES, MAX_ROWS, SpreadsheetRefused, read_xlsx
from shared.kernel.decider import Forbidden
from shared.web.http import now
from shared.web.identity import Caller, Identity
from shared.web.problems import COMMAND_RESPONSES, Problem, problem_doc

router = APIRouter(tags=["allocation"])

PATH = "/allocations/imports"
FORM_SLACK = 64 * 1024
"""Room for the multipart framing and the other fields around the file."""
BODY_LIMIT = MAX_BYTES + FORM_SLACK
"""The body this route reads (the edge refuses a larger one with 413 before it is parsed)."""

UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "jurisdiction"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": f"the plan as .xlsx: up to {MAX_BYTES} bytes, {MAX_ROWS} rows",
                        },
                        "jurisdiction": {"type": "string", "description": "whose proposals, e.g. zhongwei"},
                    },
                }
            }
        },
    }
}
IMPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **COMMAND_RESPONSES,
    413: problem_doc("The file is larger than the import accepts"),
    422: problem_doc(
        "The file cannot be read (formula or macro, naming the cell), or rows cannot be imported: "
        "`errors` lists every bad row with its column and reason, and nothing was imported"
    ),
}


@router.post(PATH, responses=IMPORT_RESPONSES, openapi_extra=UPLOAD)
async def import_plan(
    request: Request, caller: Caller, service: Service, dry_run: bool = False
) -> ImportResult:
    """Import an allocation plan (分工方案) from xlsx, all rows or none.

    The office imports the 交办 (lead and co-units of every item, 完成时限 as the reply date); a unit
    imports its own plan (签收 and 内部交办 of its items: 责任科室, 责任领导, 责任人, 完成时限, 办理措施).
    `dry_run=true` checks every row and shows the commands without appending. Uploading the same file
    again appends nothing twice and completes an import that was interrupted."""
    importer = importer_of(caller)
    data, filename, jurisdiction = await upload(request)
    try:
        sheet = read_xlsx(data, filename)
    except SpreadsheetRefused as refused:
        raise Problem(
            refused.status, "File refused", str(refused), field="file", rule=refused.reason, cell=refused.cell
        ) from None
    imports = PlanImports(service)
    try:
        checked = await imports.check(data, sheet, importer, jurisdiction, now(request))
    except MissingHeaders as missing:
        raise Problem(422, "Invalid plan", str(missing), field="file", rule="missing columns") from None
    if checked.errors:
        raise refusal(checked)
    if dry_run:
        commands = [planned.describe() for planned in checked.planned]
    else:
        correlation = request.headers.get("x-correlation-id") or f"allocation-plan-{checked.digest}"
        commands = await imports.apply(checked, importer, correlation)
    return ImportResult(
        file_sha256=checked.digest,
        jurisdiction=jurisdiction,
        dry_run=dry_run,
        skipped_rows=checked.skipped,
        commands=[PlannedCommand.model_validate(command) for command in commands],
    )


def importer_of(caller: Identity) -> Importer:
    if caller.is_office:
        return Importer(None, caller.name or caller.subject, f"{caller.role}:{caller.subject}")
    if caller.unit and caller.acts_for(caller.unit):
        return Importer(caller.unit, caller.name or caller.subject, f"{caller.role}:{caller.subject}")
    raise Forbidden("only the office (交办) and handling units (their own plan) import allocation plans")


async def upload(request: Request) -> tuple[bytes, str, str]:
    """The file, its name and the jurisdiction; the body's size was checked at the edge (`BODY_LIMIT`)."""
    try:
        form = await request.form(max_files=1, max_fields=8)
    except Exception:
        raise Problem(
            422, "Invalid request", "a multipart/form-data body is expected", field="file"
        ) from None
    file = form.get("file")
    jurisdiction = form.get("jurisdiction")
    if not isinstance(file, UploadFile):
        raise Problem(422, "Invalid request", "file: an .xlsx file is required", field="file")
    if not isinstance(jurisdiction, str) or not jurisdiction.strip():
        raise Problem(422, "Invalid request", "jurisdiction: required, e.g. zhongwei", field="jurisdiction")
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large(len(data))
    return data, file.filename or "", jurisdiction.strip()


def too_large(size: int) -> Problem:
    return Problem(
        413,
        "File too large",
        f"the upload has {size} bytes; files up to {MAX_BYTES} bytes are accepted",
        field="file",
        rule=f"at most {MAX_BYTES} bytes",
    )


def refusal(checked: Checked) -> Problem:
    rows = sorted({error.row for error in checked.errors})
    return Problem(
        422,
        "Invalid plan",
        f"{len(rows)} row(s) cannot be imported ({', '.join(map(str, rows))}); nothing was imported",
        field="file",
        errors=[error.as_dict() for error in checked.errors],
        file_sha256=checked.digest,
    )
