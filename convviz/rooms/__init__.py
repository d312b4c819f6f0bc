"""Class mode's shared state: rooms, what the teacher shows, who is there, and the class's answers (issue 23)."""
