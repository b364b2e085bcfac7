{{ stage_feed('hc', 'phs_chronic_registry') }}
