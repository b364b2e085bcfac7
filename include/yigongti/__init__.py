"""Data platform for Chongqing's close-knit county medical communities (紧密型县域医共体)."""
