with

source as (

    select * from {{ source('github', 'releases') }}

),

renamed as (

    select
        cast(id as bigint) as release_id,
        cast(repo as varchar) as repo,
        cast(tag_name as varchar) as tag_name,
        cast(name as varchar) as release_name,
        cast(draft as boolean) as is_draft,
        cast(prerelease as boolean) as is_prerelease,
        created_at at time zone 'UTC' as created_at,
        published_at at time zone 'UTC' as published_at

    from source

)

select * from renamed
