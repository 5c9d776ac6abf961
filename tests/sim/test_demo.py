"""`lifeline demo` (and scripts/demo, which runs it): the three parts, narrated, and the audit page."""

import subprocess

from conftest import BINARY, ROOT


def test_the_demo_narrates_a_scale_out_the_detach_race_and_the_audit(tmp_path):
    page = tmp_path / "audit.html"
    out = subprocess.run([BINARY, "demo", "--html", str(page)], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr
    text = out.stdout
    parts = [text.index(f"== Part {n}") for n in (1, 2, 3)]
    assert parts == sorted(parts)
    one, two, three = text[parts[0] : parts[1]], text[parts[1] : parts[2]], text[parts[2] :]
    assert one.count("complete CONTINUE") == 2 and "create-deployment" in one
    assert "shop-prod has 4 instances InService" in one
    assert "loop breaker opened" in two and "shop-prod is back at 2 InService" in two
    assert "stale (risky)" in three and "aws deploy update-deployment-group" in three
    # Each note is said once, however many passes repeat it.
    assert two.count("supervise mode: CodeDeploy owns the hooks") == 1
    assert "lifeline.sim" not in text and "CancellationError" not in text
    html = page.read_text()
    assert "stale" in html and "risky" in html and "loop breaker open" in html
