{{ stage_feed('fin', 'fin_annual_report') }}
