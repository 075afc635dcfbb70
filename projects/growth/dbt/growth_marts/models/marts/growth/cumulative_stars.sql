with

stars as (

    select * from {{ source('github_staging', 'int_stars_filtered') }}

),

releases as (

    select * from {{ source('github_staging', 'int_releases_published') }}

),

daily as (

    select
        repo,
        starred_on,
        count(*) as new_stars

    from stars
    group by repo, starred_on

),

first_days as (

    select
        repo,
        min(starred_on) as first_day

    from daily
    group by repo

),

releases_daily as (

    select
        repo,
        published_on,
        count(*) as releases_published

    from releases
    group by repo, published_on

),

last_day as (

    select max(starred_on) as last_day from daily

),

spine as (

    select
        first_days.repo,
        cast(spine_days.spine_day as date) as star_date

    from first_days
    cross join last_day
    cross join lateral generate_series(
        cast(first_days.first_day as timestamp),
        cast(last_day.last_day as timestamp),
        interval '1 day'
    ) as spine_days (spine_day)

),

filled as (

    select
        spine.repo,
        spine.star_date,
        coalesce(daily.new_stars, 0) as new_stars,
        coalesce(releases_daily.releases_published, 0) as releases_published

    from spine
    left join daily
        on
            spine.repo = daily.repo
            and spine.star_date = daily.starred_on
    left join releases_daily
        on
            spine.repo = releases_daily.repo
            and spine.star_date = releases_daily.published_on

),

final as (

    select
        repo,
        star_date,
        cast(new_stars as bigint) as new_stars,
        cast(releases_published as bigint) as releases_published,
        cast(
            sum(new_stars) over (
                partition by repo order by star_date asc
                rows between unbounded preceding and current row
            ) as bigint
        ) as cumulative_stars

    from filled

)

select * from final
