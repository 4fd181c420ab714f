"""The PDF report: rendered by WeasyPrint, first page turned into a PNG by pdftoppm, and it is not blank."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from qa_monitor.reports.period import Week
from qa_monitor.reports.render import render_pdf
from qa_monitor.reports.weekly import build_weekly
from qa_monitor.storage.store import Store
from tests.support.report_seed import seed
from tests.support.servers import missing

pytestmark = pytest.mark.integration


def test_pdf_first_page_is_not_blank(tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        missing("pdftoppm not found: install Debian's poppler-utils")
    from PIL import Image, ImageStat

    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    seed(store)
    pdf = render_pdf(build_weekly(store, Week.parse("2026-W47")))
    store.close()
    assert pdf.startswith(b"%PDF-")
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page1")], check=True, timeout=120)
    image = Image.open(tmp_path / "page1.png").convert("L")
    stat = ImageStat.Stat(image)
    assert image.size[0] > 500 and image.size[1] > 700        # A4 at 72 dpi is 595 x 842
    assert stat.stddev[0] > 20, "the first page is (nearly) one colour"
    dark = sum(image.histogram()[:128]) / (image.size[0] * image.size[1])
    assert 0.005 < dark < 0.5, f"share of dark pixels {dark:.3f}: no text or all ink"
