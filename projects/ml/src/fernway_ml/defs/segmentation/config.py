"""Segmentation settings, validated before any work starts."""

from pydantic import Field

from fernway_ml.config import ValidatedConfig


class SegmentationConfig(ValidatedConfig):
    """k-means on standardized behaviour; the seed makes the segments reproducible."""

    n_clusters: int = Field(
        default=4, ge=2, le=12, description="Segments among ordering customers."
    )
    random_state: int = Field(default=42, ge=0, description="Seed of k-means' initialisation.")
    n_init: int = Field(
        default=10, ge=1, le=50, description="k-means restarts; the best one is kept."
    )
