-- The guestbook: one row per message. Limits mirror the API's validation (characters, after trimming).
CREATE TABLE messages (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name varchar(80) NOT NULL CHECK (char_length(name) >= 1),
  text varchar(500) NOT NULL CHECK (char_length(text) >= 1),
  created_at timestamptz NOT NULL DEFAULT now()
);
