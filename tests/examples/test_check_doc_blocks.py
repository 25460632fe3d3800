"""scripts/check_doc_blocks.py: which doc blocks are complete programs, and mypy's report."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_doc_blocks", ROOT / "scripts" / "check_doc_blocks.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_doc_blocks"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


script = _script()

PAGE = '''# A page

```python
import asyncio


async def main() -> None:
    await asyncio.sleep(0)


asyncio.run(main())
```

```python
print(main)
```

```python
import asyncio
await asyncio.sleep(0)
```

<!-- skip: next "a sketch" -->

```python
import os
def bare(x): ...
```

```python
"""A docstring first."""
from os import sep


def joined(a: str, b: str) -> int:
    return a + sep + b
```
'''


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "page.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "README.md").write_text("# nothing\n", encoding="utf-8")
    return tmp_path


def test_only_complete_programs_are_picked(root: Path) -> None:
    found = script.programs(root)
    assert [(b.page.name, b.line) for b in found] == [("page.md", 4), ("page.md", 31)]
    assert found[0].source.startswith("import asyncio\n")


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="runs mypy: needs the typing extra (CI's README run has it; the other Pythons' do not)",
)
@pytest.mark.timeout(120)
def test_mypy_errors_are_reported_at_the_markdown_line(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = script.check(script.programs(root), root)
    out = capsys.readouterr().out
    assert status == 1
    assert (
        'docs/page.md:36: error: Incompatible return value type (got "str", expected "int")' in out
    )
    assert "page.md:4" not in out
    assert "page.md:9" not in out
    assert out.endswith("2 complete program(s) checked with mypy --strict: errors above\n")
