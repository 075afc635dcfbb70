{% set window_days = var('release_window_days') %}

with

releases as (

    select * from {{ source('github_staging', 'int_releases_published') }}

),

stargazers as (

    select * from {{ ref('stargazers') }}

),

joined as (

    select
        releases.release_id,
        stargazers.starred_at,
        stargazers.is_first_fernway_star,
        stargazers.starred_at >= releases.published_at
        and stargazers.starred_at
        < releases.published_at + interval '{{ window_days }} days' as is_after,
        stargazers.starred_at < releases.published_at
        and stargazers.starred_at
        >= releases.published_at - interval '{{ window_days }} days' as is_before,
        stargazers.starred_at >= releases.published_at
        and (
            releases.next_published_at is null
            or stargazers.starred_at < releases.next_published_at
        ) as is_until_next

    from releases
    inner join stargazers
        on releases.repo = stargazers.repo

),

counted as (

    select
        release_id,
        count(*) filter (where is_after) as stars_after,
        count(*) filter (where is_before) as stars_before,
        count(*) filter (where is_after and is_first_fernway_star) as new_fans_after,
        count(*) filter (where is_until_next) as stars_until_next_release

    from joined
    group by release_id

),

final as (

    select
        releases.release_id,
        releases.repo,
        releases.tag_name,
        releases.is_prerelease,
        releases.published_at,
        cast({{ window_days }} as integer) as window_days,
        cast(coalesce(counted.stars_before, 0) as bigint) as stars_before,
        cast(coalesce(counted.stars_after, 0) as bigint) as stars_after,
        cast(coalesce(counted.new_fans_after, 0) as bigint) as new_fans_after,
        cast(
            coalesce(counted.stars_until_next_release, 0) as bigint
        ) as stars_until_next_release

    from releases
    left join counted
        on releases.release_id = counted.release_id

)

select * from final
