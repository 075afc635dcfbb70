with

releases as (

    select * from {{ ref('stg_github__releases') }}

),

published as (

    select
        release_id,
        repo,
        tag_name,
        release_name,
        is_prerelease,
        published_at

    from releases
    where not is_draft and published_at is not null

),

final as (

    select
        release_id,
        repo,
        tag_name,
        release_name,
        is_prerelease,
        published_at,
        cast(published_at as date) as published_on,
        lead(published_at) over (
            partition by repo order by published_at asc, release_id asc
        ) as next_published_at

    from published

)

select * from final
