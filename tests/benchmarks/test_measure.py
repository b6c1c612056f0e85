"""A measured command: its wall time, peak RSS, exit code, stdout kept when asked."""

import sys

from benchmarks.measure import measure


def test_stdout_goes_to_the_file_asked_for_and_the_exit_code_is_kept(tmp_path) -> None:
    out = tmp_path / "out.txt"
    code = "import sys; print('run abc succeeded in 1.0 s'); sys.exit(3)"
    m = measure([sys.executable, "-c", code], stdout=out)
    assert out.read_text() == "run abc succeeded in 1.0 s\n"
    assert m.returncode == 3
    assert m.seconds > 0
    assert m.load_before >= 0 and m.load_after >= 0


def test_peak_rss_is_the_commands_own(tmp_path) -> None:
    grow = "b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
    big = measure([sys.executable, "-c", grow])
    small = measure([sys.executable, "-c", "pass"])
    assert big.peak_mib > 200 > small.peak_mib
    assert big.as_dict()["peak_mib"] == big.peak_mib
