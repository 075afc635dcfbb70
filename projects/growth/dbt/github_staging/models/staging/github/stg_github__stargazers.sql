with

source as (

    select * from {{ source('github', 'stargazers') }}

),

renamed as (

    select
        cast(repo as varchar) as repo,
        cast(user_id as bigint) as user_id,
        cast(user_login as varchar) as user_login,
        cast(user_type as varchar) as user_type,
        starred_at at time zone 'UTC' as starred_at,
        unstarred_at at time zone 'UTC' as unstarred_at

    from source

)

select * from renamed
