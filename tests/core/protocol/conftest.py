import shutil
from pathlib import Path

import pytest
import yaml

from rapport.core import protocol


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the protocol's data files, with a helper to change one and reload."""
    directory = tmp_path / "data"
    shutil.copytree(protocol.DATA_DIR, directory)
    return DataCopy(directory)


class DataCopy:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def change(self, name, change):
        path = self.directory / f"{name}.yaml"
        data = yaml.safe_load(path.read_text())
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        return self

    def load(self):
        return protocol.load(self.directory)
