{{ stage_feed('hc', 'hs_annual_programme') }}
