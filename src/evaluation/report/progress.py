"""What a report build shows while it runs: rich progress on a terminal, nothing elsewhere."""

from __future__ import annotations

import contextlib
import threading

__all__ = ["BuildProgress"]


class BuildProgress:
    """What a build shows while it runs.

    On a terminal: a line per report as it finishes (built, failed, unchanged), a spinner per report
    running, and a bar over them all. Anywhere else (a pipe, a log file, CI) nothing at all: the
    caller ends with `summary`. Thread-safe: reports start in worker threads.

    Parameters
    ----------
    enabled : bool
        Show anything at all (still only on a terminal).
    console : rich.console.Console, optional
        Where to show it (default: standard output).
    """

    def __init__(self, enabled: bool = True, console=None) -> None:
        from rich.console import Console

        self.console = console if console is not None else Console()
        self.enabled = bool(enabled) and self.console.is_terminal
        self._progress = None
        self._overall = None
        self._total = 0
        self._lock = threading.Lock()

    def __enter__(self) -> BuildProgress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._overall = self._progress.add_task("Rapporter / reports", total=0)
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def unchanged(self, names: list[str]) -> None:
        """Say which reports are not run again (one line)."""
        if self._progress is not None and names:
            self._progress.console.print(
                f"[dim]· oförändrade / unchanged ({len(names)}): {', '.join(names)}[/dim]",
                highlight=False,
            )

    def expect(self, steps: int) -> None:
        """Add steps to the bar's total (reports to run, PDFs to print)."""
        if self._progress is not None:
            with self._lock:
                self._total += steps
                self._progress.update(self._overall, total=self._total)

    def start(self, name: str):
        """Show that a report is running; return the token `finish` takes."""
        if self._progress is None:
            return None
        return self._progress.add_task(f"  {name}", total=None)

    def finish(self, token, name: str, status: str, seconds: float, error: str = "") -> None:
        """Replace a running report by one line saying how it ended."""
        if self._progress is None:
            return
        if token is not None:
            self._progress.remove_task(token)
        self._progress.advance(self._overall)
        time = f"{seconds:.1f} s".replace(".", ",")
        line = {
            "ok": f"[green]✓[/green] {name} [dim]{time}[/dim]",
            "skipped": f"[dim]· {name}: oförändrad / unchanged[/dim]",
        }.get(status, f"[red]✗ {name}: misslyckades / failed[/red] [dim]{error[:200]}[/dim]")
        self._progress.console.print(line, highlight=False)

    @contextlib.contextmanager
    def step(self, name: str):
        """Show one step (a report built outside the notebook runs, a PDF) while it runs.

        Yields a namespace whose ``result`` the step may set to its `Result`; without one, a step that
        returns is ok and one that raises failed (and the error goes on).
        """
        import time
        from types import SimpleNamespace

        self.expect(1)
        token = self.start(name)
        started = time.perf_counter()
        outcome = SimpleNamespace(result=None)
        try:
            yield outcome
        except BaseException as exc:
            self.finish(token, name, "failed", time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
            raise
        result = outcome.result
        self.finish(
            token,
            name,
            result.status if result is not None else "ok",
            result.seconds if result is not None and result.seconds else time.perf_counter() - started,
            result.error if result is not None else "",
        )
