{{ stage_feed('mi', 'mi_fund_summary') }}
