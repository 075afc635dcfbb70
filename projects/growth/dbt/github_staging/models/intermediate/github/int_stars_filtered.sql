with

stargazers as (

    select * from {{ ref('stg_github__stargazers') }}

),

repositories as (

    select * from {{ ref('stg_github__repositories') }}

),

kept as (

    select
        stargazers.repo,
        stargazers.user_id,
        stargazers.user_login,
        stargazers.starred_at

    from stargazers
    inner join repositories
        on stargazers.repo = repositories.repo
    where stargazers.unstarred_at is null

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
