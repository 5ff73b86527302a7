"""Container images of the platform services: builders behind one interface, the registry API, the settings."""

from onboard.images.base import BuildOutcome, BuildRequest, ImageBuilder
from onboard.images.registry import RegistryClient, RegistryError
from onboard.images.select import choose_builder, detect_builder
from onboard.images.settings import ContainersSection, GitHubSection

__all__ = [
    "BuildOutcome",
    "BuildRequest",
    "ContainersSection",
    "GitHubSection",
    "ImageBuilder",
    "RegistryClient",
    "RegistryError",
    "choose_builder",
    "detect_builder",
]
