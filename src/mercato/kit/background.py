"""Background work inside the web process (embedded mode): the in-process job queue."""

from __future__ import annotations

from dataclasses import dataclass

from mercato.kit.jobs import InProcessBackend, install_backend
from mercato.kit.runtime import Runtime


@dataclass
class Background:
    jobs: InProcessBackend

    async def stop(self) -> None:
        await self.jobs.drain()
        await self.jobs.stop()


def start_background(runtime: Runtime) -> Background:
    del runtime  # the scheduler will use it
    backend = InProcessBackend()
    install_backend(backend)
    backend.start()
    return Background(jobs=backend)
