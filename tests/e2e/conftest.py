"""Browser tests: a real uvicorn server on a fresh SQLite database, driven by Debian's Chromium.

The server runs the embedded app exactly as ``mercato all`` does (in-process jobs, mail to the
local outbox). Playwright's sync API is used from plain (non-async) tests.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from mercato.kit.migrate import upgrade

BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN_EMAIL = "admin@example.com"
PASSWORD = "correct-horse-battery"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Server:
    base_url: str
    env: dict[str, str]
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not become healthy:\n{log.read_text()}")


def _migrate(url: str) -> None:
    # Alembic's env runs its own event loop; a thread keeps it away from pytest-asyncio's.
    failure: list[BaseException] = []

    def run() -> None:
        try:
            upgrade(url)
        except BaseException as error:  # re-raised below, in the test thread
            failure.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _environment(var_dir: Path, base_url: str) -> dict[str, str]:
    """The server's environment: this process's, minus any MERCATO_ setting of the developer's."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MERCATO_")}
    return {
        **inherited,
        "MERCATO_VAR_DIR": str(var_dir),
        "MERCATO_BASE_URL": base_url,
        "MERCATO_PASSWORD_HASH_MEMORY_KIB": "1024",
        "MERCATO_LOG_JSON": "false",
        "MERCATO_LOG_LEVEL": "WARNING",
    }


def _serving(command: list[str], env: dict[str, str], base_url: str, log: Path) -> Iterator[Server]:
    """Run ``command`` as the server until the fixture ends; its output goes to ``log``."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_healthy(base_url, process, log)
        yield Server(base_url, env, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    var_dir = tmp_path_factory.mktemp("e2e-var")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _environment(var_dir, base_url)
    _migrate(f"sqlite+aiosqlite:///{var_dir / 'mercato.db'}")
    mercato = Path(sys.executable).with_name("mercato")
    subprocess.run(
        [str(mercato), "users", "create-admin", "--email", ADMIN_EMAIL, "--password", PASSWORD],
        env=env,
        check=True,
        capture_output=True,
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "mercato.entrypoints:embedded_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    yield from _serving(command, env, base_url, var_dir / "server.log")


@pytest.fixture(autouse=True)
def no_server_errors(server: Server) -> Iterator[None]:
    """Any unhandled exception in the server during a test fails that test, with its trace."""
    seen = server.log.stat().st_size
    yield
    with server.log.open("rb") as log:
        log.seek(seen)
        new = log.read().decode(errors="replace")
    if "Traceback" in new:
        pytest.fail(f"the server failed during the test:\n{new}")


# Package scope, not session: while Playwright's sync API runs, the main thread looks like it
# is inside an event loop, which would break every async test collected after these.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed")
    instance = playwright.chromium.launch(
        executable_path=executable, headless=True, args=BROWSER_ARGS
    )
    yield instance
    instance.close()


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, server: Server) -> Iterator[NewContext]:
    """A factory of isolated browser sessions (one per person in the journey)."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] | None = None) -> BrowserContext:
        context = browser.new_context(base_url=server.base_url, viewport=viewport or DESKTOP)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    return new_context().new_page()


# --- journey steps shared by the tests -----------------------------------------------------


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # let the flash message finish fading in
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, animations="disabled")


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.locator(".user-menu__toggle").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".flash")).to_contain_text("You are signed out")


def sign_up(page: Page, name: str, email: str, password: str = PASSWORD) -> None:
    page.goto("/signup")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/account$"))


def link_in_last_mail(admin: Page, to: str, subject: str) -> str:
    """Open the newest mail to ``to`` in the admin console's outbox and return its link."""
    admin.goto("/admin/mail")
    row = admin.locator("tr", has_text=to).filter(has_text=subject).first
    row.get_by_role("link").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(subject)
    href = admin.locator(".mail__body a").first.get_attribute("href")
    assert href is not None
    return href


# --- the demo marketplace, started the way ``make run`` starts it ----------------------------


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``mercato db upgrade``, ``mercato demo seed`` then ``mercato all --no-migrate`` on a
    fresh SQLite file: the marketplace ``make run`` serves, with its demo logins. A test module
    opts in by overriding ``server`` with it."""
    var_dir = tmp_path_factory.mktemp("e2e-demo-var")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _environment(var_dir, base_url)
    mercato = str(Path(sys.executable).with_name("mercato"))
    for step in (["db", "upgrade"], ["demo", "seed"]):
        done = subprocess.run(
            [mercato, *step], env=env, check=False, capture_output=True, text=True
        )
        assert done.returncode == 0, f"mercato {' '.join(step)} failed:\n{done.stderr}"
    command = [mercato, "all", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)]
    yield from _serving(command, env, base_url, var_dir / "server.log")
