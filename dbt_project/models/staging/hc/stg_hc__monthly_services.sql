{{ stage_feed('hc', 'hs_monthly_services') }}
