"""Adapters: one module per source family. Each registers its adapter names here."""

from qa_monitor.adapters.base import register

# e-mail
register("mbox", "qa_monitor.adapters.email:MboxAdapter")
register("maildir", "qa_monitor.adapters.email:MaildirAdapter")
register("eml", "qa_monitor.adapters.email:EmlFolderAdapter")
register("imap", "qa_monitor.adapters.imap:ImapAdapter")
# chat and tickets
register("zendesk", "qa_monitor.adapters.chat:ZendeskAdapter")
register("freshdesk", "qa_monitor.adapters.chat:FreshdeskAdapter")
register("intercom", "qa_monitor.adapters.chat:IntercomAdapter")
register("slack", "qa_monitor.adapters.chat:SlackAdapter")
register("jsonl", "qa_monitor.adapters.chat:JsonlAdapter")
# call transcripts
register("webvtt", "qa_monitor.adapters.transcripts:WebVttAdapter")
register("srt", "qa_monitor.adapters.transcripts:SrtAdapter")
register("aws_transcribe", "qa_monitor.adapters.transcripts:AwsTranscribeAdapter")
register("whisper", "qa_monitor.adapters.transcripts:WhisperAdapter")
