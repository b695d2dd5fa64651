"""Full-page screenshots of the main pages as each demo role, so anyone can look at the product without clicking
through it.

    python scripts/screenshots.py [--url http://127.0.0.1:8000] [--out shots] [--only organiser,expert1]

Against a running server with the demo loaded (`make run`, or `jinxuan demo` then `jinxuan runserver`); uses
Debian's chromium (/usr/bin/chromium, never a downloaded browser). Pictures go to shots/<role>/NN-<page>.png
(the folder is ignored by git). Pages that need an object (an application, a case) take the first one the role's
own page links to.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import sync_playwright

PASSWORD = "jinxuan-demo-2025"
CHROMIUM = "/usr/bin/chromium"
CAMPAIGN = "gz-dianshu-2025"
PAST = "gz-dianshu-2024"
# role → pages: (name, path) or (name, path of a list, regexes of the first links to follow from it, one per step)
PAGES = {
    "anonymous": [("home", "/"), ("campaign", f"/campaigns/{CAMPAIGN}/"), ("library", "/library/"),
                  ("library-case", "/library/", r"^/library/\d+/$"), ("results", f"/results/{PAST}/"),
                  ("draw", f"/inspection/{PAST}/draw/"), ("login", "/accounts/login/")],
    "applicant1": [("workspace", "/workspace/"), ("applications", "/apply/"),
                   ("application", "/apply/", r"^/apply/\d+/$"), ("form", "/apply/", r"^/apply/\d+/$", r"^/apply/\d+/edit/$")],
    "organiser": [("campaigns", "/manage/"), ("dashboard", f"/manage/{CAMPAIGN}/"),
                  ("applications", f"/manage/{CAMPAIGN}/applications/"), ("formal-queue", f"/manage/formal/{CAMPAIGN}/"),
                  ("formal-case", f"/manage/formal/{CAMPAIGN}/", rf"^/manage/formal/{CAMPAIGN}/\d+/$"),
                  ("expert-review", f"/manage/review/{CAMPAIGN}/"), ("vote", f"/manage/vote/{PAST}/"),
                  ("roadshow", f"/manage/roadshow/{PAST}/"), ("stages", f"/manage/stages/{PAST}/"),
                  ("audit", f"/manage/{CAMPAIGN}/audit/"), ("mail-templates", f"/manage/{CAMPAIGN}/mail-templates/")],
    "reviewer": [("workspace", "/workspace/"), ("formal-queue", f"/manage/formal/{CAMPAIGN}/")],
    "expert1": [("workspace", "/workspace/"), ("reviews", f"/review/{CAMPAIGN}/"),
                ("score", f"/review/{CAMPAIGN}/", rf"^/review/{CAMPAIGN}/\d+/$")],
    "judge": [("workspace", "/workspace/"), ("judge", f"/roadshow/{PAST}/judge/")],
    "inspector": [("workspace", "/workspace/"), ("inspection", f"/inspection/{PAST}/")],
    "guidance": [("workspace", "/workspace/"), ("dashboard", f"/manage/{CAMPAIGN}/")],
}


def first_link(page, pattern: str) -> str | None:
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        path = urljoin(page.url, href).split("://", 1)[-1].split("/", 1)[-1]
        if re.match(pattern, "/" + path.split("?")[0]):
            return "/" + path
    return None


def shoot(url: str, out: Path, only: set[str]) -> int:
    taken = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for role, pages in PAGES.items():
            if only and role not in only:
                continue
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            if role != "anonymous":
                page.goto(url + "/accounts/login/")
                page.fill("input[name=username]", role)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
            folder = out / role
            folder.mkdir(parents=True, exist_ok=True)
            for n, (name, path, *follow) in enumerate(pages, 1):
                page.goto(url + path)
                target = path
                for pattern in follow:
                    target = first_link(page, pattern)
                    if target is None:
                        break
                    page.goto(url + target)
                if target is None:
                    print(f"{role}: no link for {name} from {path}", file=sys.stderr)
                    continue
                file = folder / f"{n:02d}-{name}.png"
                page.screenshot(path=str(file), full_page=True)
                print(file)
                taken += 1
            context.close()
        browser.close()
    return taken


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="shots", type=Path)
    parser.add_argument("--only", default="", help="comma-separated roles (default: all)")
    args = parser.parse_args(argv)
    only = {r for r in args.only.split(",") if r}
    return 0 if shoot(args.url.rstrip("/"), args.out, only) else 1


if __name__ == "__main__":
    sys.exit(main())
