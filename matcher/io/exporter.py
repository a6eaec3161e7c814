"""Exporting the store in the import file format, so an export imports back unchanged."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from matcher.io.formats import Frames
from matcher.io.queries import file_rows
from matcher.io.schema import COLUMNS, ENTITIES


def export_frames(sessions: sessionmaker[Session]) -> Frames:
    """The whole store as Frames in the file format, with external ids everywhere."""
    frames = Frames(sources=[])
    with sessions() as session:
        for entity in ENTITIES:
            query, _ = file_rows(entity)
            rows = session.execute(query.order_by(query.selected_columns[0])).all()
            frame = pd.DataFrame([row[1:] for row in rows], columns=list(COLUMNS[entity]))
            setattr(frames, entity, frame)
    return frames
