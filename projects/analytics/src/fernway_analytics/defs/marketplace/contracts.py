"""What a valid marketplace record looks like, per entity (the raw tables follow these)."""

from fernway_core.validation import Field, RecordSpec

CITIES = RecordSpec(
    entity="cities",
    key="city_id",
    fields=(
        Field("city_id"),
        Field("name"),
        Field("country"),
        Field("latitude", "double"),
        Field("longitude", "double"),
        Field("timezone"),
    ),
)

CUSTOMERS = RecordSpec(
    entity="customers",
    key="customer_id",
    version_field="updated_at",
    fields=(
        Field("customer_id"),
        Field("name"),
        Field("email", required=False),
        Field("city_id"),
        Field("signed_up_at", "timestamp"),
        Field("updated_at", "timestamp"),
    ),
)

PRODUCTS = RecordSpec(
    entity="products",
    key="product_id",
    fields=(
        Field("product_id"),
        Field("name"),
        Field("category"),
        Field("unit_price", "decimal(12,2)", non_negative=True),
    ),
)

ORDERS = RecordSpec(
    entity="orders",
    key="order_id",
    version_field="updated_at",
    partition_field="ordered_at",
    fields=(
        Field("order_id"),
        Field("customer_id"),
        Field("product_id"),
        Field("city_id"),
        Field("status"),
        Field("quantity", "integer", non_negative=True),
        Field("unit_price", "decimal(12,2)", non_negative=True),
        Field("amount", "decimal(12,2)", non_negative=True),
        Field("refund_amount", "decimal(12,2)", non_negative=True),
        Field("ordered_at", "timestamp"),
        Field("updated_at", "timestamp"),
    ),
)
