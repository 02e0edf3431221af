// A day cell or an hour slot that takes a dragged post (HTML5 drag and drop). Only a post chip's
// drag is taken; `over` lights the target up while a post hovers it.
import { useState, type DragEvent } from "react";
import { POST_DRAG_TYPE } from "./PostChip";

export interface DropTarget {
  over: boolean;
  handlers: {
    onDragEnter: (event: DragEvent<HTMLElement>) => void;
    onDragOver: (event: DragEvent<HTMLElement>) => void;
    onDragLeave: (event: DragEvent<HTMLElement>) => void;
    onDrop: (event: DragEvent<HTMLElement>) => void;
  };
}

const carriesPost = (event: DragEvent<HTMLElement>) => event.dataTransfer.types.includes(POST_DRAG_TYPE);

export function useDropTarget(onDropPost: ((postId: string) => void) | undefined): DropTarget {
  const [over, setOver] = useState(false);
  const enabled = Boolean(onDropPost);
  return {
    over: enabled && over,
    handlers: {
      onDragEnter(event) {
        if (!enabled || !carriesPost(event)) return;
        event.preventDefault();
        setOver(true);
      },
      onDragOver(event) {
        if (!enabled || !carriesPost(event)) return;
        event.preventDefault(); // accept the drop
        event.stopPropagation(); // an hour slot takes it, not the day around it
        event.dataTransfer.dropEffect = "move";
        if (!over) setOver(true);
      },
      onDragLeave(event) {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
      },
      onDrop(event) {
        if (!enabled || !carriesPost(event)) return;
        event.preventDefault();
        event.stopPropagation();
        setOver(false);
        const postId = event.dataTransfer.getData(POST_DRAG_TYPE);
        if (postId) onDropPost?.(postId);
      },
    },
  };
}
