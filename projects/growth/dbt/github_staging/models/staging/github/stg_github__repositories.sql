with

source as (

    select * from {{ source('github', 'repositories') }}

),

renamed as (

    select
        cast(id as bigint) as repository_id,
        cast(full_name as varchar) as repo,
        cast(name as varchar) as repository_name,
        cast(language as varchar) as primary_language,
        cast(archived as boolean) as is_archived,
        cast(stargazers_count as bigint) as stargazers_count,
        cast(forks_count as bigint) as forks_count,
        created_at at time zone 'UTC' as created_at,
        fetched_at at time zone 'UTC' as fetched_at

    from source

)

select * from renamed
