{{ stage_feed('stat', 'population') }}
