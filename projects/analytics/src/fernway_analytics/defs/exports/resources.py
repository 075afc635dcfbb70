"""The S3 bucket where partners drop bulk order exports (moto locally, AWS in production)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dagster as dg
from dagster_aws.s3 import S3Resource
from pydantic import PrivateAttr

from fernway_core.settings import get_settings


@dataclass(frozen=True)
class ExportFile:
    """One object in the exports bucket."""

    key: str
    last_modified: datetime
    etag: str


class ExportsBucket(dg.ConfigurableResource):
    """Lists and reads partner export files under one prefix of one bucket."""

    s3: dg.ResourceDependency[S3Resource]
    bucket: str
    prefix: str = "partner_orders/"
    _client: Any = PrivateAttr(default=None)

    def client(self) -> Any:
        """One boto3 client per resource instance (creating one costs ~0.1 s)."""
        if self._client is None:
            self._client = self.s3.get_client()
        return self._client

    def list_files(self) -> list[ExportFile]:
        """Every export file, oldest first."""
        paginator = self.client().get_paginator("list_objects_v2")
        files = [
            ExportFile(o["Key"], o["LastModified"], o["ETag"].strip('"'))
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix)
            for o in page.get("Contents", [])
            if o["Key"].endswith(".parquet")
        ]
        return sorted(files, key=lambda f: (f.last_modified, f.key))

    def read_bytes(self, key: str) -> bytes:
        """Download one export file (S3 and network errors raise: a retry may fix them)."""
        return self.client().get_object(Bucket=self.bucket, Key=key)["Body"].read()


@dg.definitions
def resources() -> dg.Definitions:
    """Bind the exports bucket from settings; credentials come from the standard AWS chain."""
    settings = get_settings()
    s3 = S3Resource(endpoint_url=settings.s3_endpoint_url, region_name=settings.aws_region)
    return dg.Definitions(
        resources={
            "exports": ExportsBucket(s3=s3, bucket=settings.s3_exports_bucket),
        }
    )
