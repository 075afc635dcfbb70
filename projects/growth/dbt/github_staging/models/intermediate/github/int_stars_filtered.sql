with

stargazers as (

    select * from {{ ref('stg_github__stargazers') }}

),

kept as (

    select
        repo,
        user_id,
        user_login,
        starred_at

    from stargazers
    where unstarred_at is null

),

final as (

    select
        repo,
        user_id,
        user_login,
        starred_at,
        cast(starred_at as date) as starred_on,
        cast(
            row_number() over (partition by repo order by starred_at asc, user_id asc) as bigint
        ) as star_number

    from kept

)

select * from final
