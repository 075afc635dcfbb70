with

stars as (

    select * from {{ source('github_staging', 'int_stars_filtered') }}

),

final as (

    select
        repo,
        user_id,
        user_login,
        starred_at,
        starred_on,
        star_number,
        cast(count(*) over (partition by user_id) as bigint) as repos_starred_by_user,
        row_number() over (
            partition by user_id order by starred_at asc, repo asc
        ) = 1 as is_first_fernway_star

    from stars

)

select * from final
