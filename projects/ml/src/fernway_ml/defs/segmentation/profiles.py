"""Segment profiles: size, revenue share, mean behaviour and a plain-words label."""

from __future__ import annotations

import pandas as pd

from fernway_ml.defs.segmentation.features import FEATURES, NO_ORDERS


def _label(profile: pd.Series, overall: pd.Series, segment: int, last: int) -> str:
    """Plain words for a segment, relative to all ordering customers (the id is the key)."""
    if segment == NO_ORDERS:
        return "never ordered"
    tier = "top value" if segment == 1 else "low value" if segment == last else "mid value"
    ratio = profile["mean_recency_days"] / max(overall["recency_days"], 1.0)
    activity = "active" if ratio <= 0.75 else "lapsing" if ratio >= 1.5 else "steady"
    cancels = profile["mean_cancel_rate"] >= 2 * overall["cancel_rate"]
    return f"{tier}, {activity}" + (", cancels often" if cancels else "")


def profiles(features: pd.DataFrame, segments: pd.Series) -> pd.DataFrame:
    """One row per segment with customers, shares, feature means and a label."""
    frame = features.assign(segment=segments)
    grouped = frame.groupby("segment")
    table = grouped[FEATURES].mean().add_prefix("mean_")
    table.insert(0, "customers", grouped.size())
    table.insert(1, "share_of_customers", table["customers"] / len(frame))
    revenue = frame["lifetime_net_revenue"].sum()
    share = grouped["lifetime_net_revenue"].sum() / revenue if revenue else 0.0
    table.insert(2, "share_of_revenue", share)
    overall = frame.loc[frame["segment"] != NO_ORDERS, FEATURES].mean()
    last = int(segments.max())
    labels = [_label(table.loc[s], overall, int(s), last) for s in table.index]
    table.insert(0, "segment_label", labels)
    return table.reset_index()


def profiles_markdown(table: pd.DataFrame) -> str:
    """The profiles as a markdown table for the asset's metadata."""
    header = (
        "| segment | label | customers | revenue share | orders | net revenue | AOV | recency |"
    )
    lines = [header, "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in table.itertuples():
        lines.append(
            f"| {row.segment} | {row.segment_label} | {row.customers:,} | "
            f"{row.share_of_revenue:.1%} | {row.mean_lifetime_orders:.1f} | "
            f"{row.mean_lifetime_net_revenue:,.2f} | {row.mean_avg_order_value:,.2f} | "
            f"{row.mean_recency_days:.0f} d |"
        )
    return "\n".join(lines)
