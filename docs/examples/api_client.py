"""A duan8 API client in plain Python (standard library only): who am I, a figure and its
children, a national list paged by cursor, and an import run as a background job.

    DUAN8_API_URL=https://duan8.example.vn DUAN8_API_TOKEN=... python3 api_client.py

DUAN8_API_URL    the server's address (the API is under /api/v1/)
DUAN8_API_TOKEN  a token: "Mã truy cập API" page, or `duan8 token USERNAME`
DUAN8_UNIT       a unit's id (default: the unit of your first membership)
DUAN8_INDICATOR  an indicator's code (default TTCĐ), DUAN8_PERIOD a period (default 2024)
DUAN8_PAGE_SIZE  items per page, 1-1000 (default 100)
DUAN8_LANGUAGE   vi (default) or en: the language of error messages
"""

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

BASE = os.environ["DUAN8_API_URL"].rstrip("/") + "/api/v1"
TOKEN = os.environ["DUAN8_API_TOKEN"]
LANGUAGE = os.environ.get("DUAN8_LANGUAGE", "vi")


class ApiError(Exception):
    def __init__(self, status, answer):
        super().__init__(f"{status}: {answer.get('detail')}")
        self.status, self.answer = status, answer


def call(method, path, params=None, body=None, form=None, raw=False):
    """One request; the JSON answer (or the bytes with ``raw``). Errors raise ApiError with
    the server's ``detail`` (Vietnamese, or English with DUAN8_LANGUAGE=en)."""
    url = BASE + path.removeprefix("/api/v1")  # answers name addresses from /api/v1/
    if params:
        url += "?" + urllib.parse.urlencode(params)
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept-Language": LANGUAGE}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data, headers["Content-Type"] = multipart(*form)
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            content = response.read()
    except urllib.error.HTTPError as error:
        raise ApiError(error.code, json.loads(error.read() or b"{}")) from None
    return content if raw else json.loads(content)


def multipart(fields, files):
    """A multipart/form-data body: ``fields`` {name: text}, ``files`` {name: (filename, bytes)}."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'Content-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"--{boundary}\r\n{head}".encode() + str(value).encode() + b"\r\n")
    for name, (filename, content) in files.items():
        head = (
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(f"--{boundary}\r\n{head}".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait(job):
    """Poll a background job until it ends (done, refused or failed)."""
    while job["state"] in ("queued", "running"):
        time.sleep(0.5)
        job = call("GET", job["url"])
    return job


def main():
    me = call("GET", "/me")
    unit = int(os.environ.get("DUAN8_UNIT") or me["memberships"][0]["unit_id"])
    print(f"signed in as {me['username']}; unit {unit}")

    # 1. A figure: value, target and percent of one indicator, unit and period, with the
    #    same for every unit below it (one request).
    code = os.environ.get("DUAN8_INDICATOR", "TTCĐ")
    period = os.environ.get("DUAN8_PERIOD", "2024")
    indicators = [i for phase in call("GET", "/phases") for i in phase["indicators"]]
    indicator = next(i for i in indicators if i["code"] == code)
    answer = call(
        "GET",
        "/figures",
        {"indicator": indicator["id"], "unit": unit, "period": period, "children": "true"},
    )
    for figure in [answer["figure"], *answer["children"]]:
        print(
            f"figure {code} {period} unit={figure['unit_id']} value={figure['value']} "
            f"target={figure['target']} percent={figure['percent']}"
        )

    # 2. A list paged by cursor: the first page by offset gives the count, every next page
    #    is asked with the cursor the page before answered (null on the last page).
    size = int(os.environ.get("DUAN8_PAGE_SIZE", "100"))
    page = call("GET", "/models", {"unit": unit, "limit": size})
    count, seen, pages = page["count"], len(page["items"]), 1
    while page["next_cursor"]:
        params = {"unit": unit, "limit": size, "cursor": page["next_cursor"]}
        page = call("GET", "/models", params)
        seen, pages = seen + len(page["items"]), pages + 1
    print(f"models paged: {seen} of {count} in {pages} pages")

    # 3. An import as a background job: export the unit's communication teams (a job),
    #    download the workbook, import it back (another job; rows already there are
    #    skipped), poll until it ends.
    kind = "communication_team"
    export = wait(call("POST", "/exports", body={"what": "models", "unit_id": unit, "kind": kind}))
    print(f"export job {export['id']}: {export['state']}, {export['result'].get('rows')} rows")
    workbook = call("GET", export["file_url"], raw=True)
    fields = {"what": "models", "unit_id": unit, "kind": kind, "existing": "skip"}
    job = call("POST", "/imports", form=(fields, {"file": ("teams.xlsx", workbook)}))
    job = wait(job)
    print(f"import job {job['id']}: {job['state']} {json.dumps(job['result'], sort_keys=True)}")
    if job["state"] == "refused":  # nothing stored: every row, column and reason, and the file
        for error in job["result"]["errors"]:
            print(f"  row {error['row']}, {error['column']}: {error['message']}")
        marked = call("GET", job["errors_url"], raw=True)
        with open("errors.xlsx", "wb") as file:
            file.write(marked)
        print(f"  the file with each error marked: errors.xlsx ({len(marked)} bytes)")


if __name__ == "__main__":
    try:
        main()
    except ApiError as error:
        sys.exit(f"API error {error}")
