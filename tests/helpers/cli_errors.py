"""What every bad-input table asserts of a misuse: exit 1 and one line, no traceback."""

from __future__ import annotations


def one_line(result, code: int = 1) -> str:
    """The single line a CLI run printed, after checking its exit code and that no traceback
    came with it."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]
