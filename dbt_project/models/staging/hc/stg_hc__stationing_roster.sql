{{ stage_feed('hc', 'hs_stationing_roster') }}
