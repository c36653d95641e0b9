CREATE INDEX resume_hub_counts ON resume(visibility, id, like_count, view_count, comment_count);
