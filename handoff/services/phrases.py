"""Everything the gateway says in its own words, in both languages.

What it must say without the engine (the greeting, the apology when the
engine is down, the queue), what the handoff desk tells customers (an agent
joined, callbacks, the rating), button titles, and the agents' one-click
canned replies. Worded after the banks' standard service phrases
(docs/requirements.md): polite forms, no blame, a way forward in every
message. Everything the assistant itself says is in the Rasa domain.
"""

from __future__ import annotations

from typing import Any

_PHRASES: dict[str, dict[str, str]] = {
    "greeting": {
        "zh": "您好，海港银行智能客服为您服务，请问有什么可以帮您？",
        "en": "Hello, this is Harbour Bank's virtual assistant. How can I help you?",
    },
    "system_failure": {
        "zh": "非常抱歉，系统正在升级，请您稍后再试，或致电{hotline}。"
        "您也可以转人工客服，我们会尽快为您处理。",
        "en": "We're very sorry, the system is being upgraded; please try again shortly "
        "or call {hotline}. You can also talk to one of our agents and we'll handle it "
        "as quickly as we can.",
    },
    "handoff_limited": {
        "zh": "非常抱歉，您所在的网络已有多位客户在等待人工客服，暂时无法再为您转接。"
        "请您稍后再试，或致电{hotline}，我们会尽快为您处理。",
        "en": "We're sorry, several chats from your network are already waiting for an agent, "
        "so we can't add another just now. Please try again a little later or call {hotline}; "
        "we'll help you as quickly as we can.",
    },
    "button_human": {"zh": "转人工客服", "en": "Talk to an agent"},
    "queued": {
        "zh": "已为您转接人工客服，您前面还有{ahead}位客户，预计等待{wait}。"
        "请稍候，我们不会忘记您。",
        "en": "I've passed you to a human agent. There are {ahead} customers ahead of you; "
        "the estimated wait is {wait}. Please stay here, we haven't forgotten you.",
        "en_one": "I've passed you to a human agent. There is 1 customer ahead of you; "
        "the estimated wait is {wait}. Please stay here, we haven't forgotten you.",
    },
    "queued_next": {
        "zh": "已为您转接人工客服，下一位就是您，预计等待{wait}。请稍候，我们不会忘记您。",
        "en": "I've passed you to a human agent. You are next in line; the estimated wait is "
        "{wait}. Please stay here, we haven't forgotten you.",
    },
    "queued_no_estimate": {
        "zh": "已为您转接人工客服，您前面还有{ahead}位客户。"
        "目前暂无客服在线，暂时无法估计等待时间。",
        "en": "I've passed you to a human agent. There are {ahead} customers ahead of you. "
        "No agent is online at the moment, so we can't estimate the wait yet.",
        "en_one": "I've passed you to a human agent. There is 1 customer ahead of you. "
        "No agent is online at the moment, so we can't estimate the wait yet.",
    },
    "queued_urgent": {
        "zh": "已为您优先转接人工客服，您排在最前面，值班主管也已收到提醒，客服会马上为您处理。"
        "在此期间，请不要向任何人转账，也不要透露验证码。",
        "en": "You are at the front of the queue and the duty supervisor has been alerted; "
        "an agent will be with you right away. Meanwhile, please don't transfer money "
        "or share any verification code with anyone.",
    },
    # --- how long: the wait estimate in words (services/estimate.py) -------------
    "wait_about": {"zh": "约{minutes}分钟", "en": "about {minutes} min"},
    "wait_range": {"zh": "{low}–{high}分钟", "en": "{low}–{high} min"},
    "wait_soon": {"zh": "不到1分钟", "en": "under a minute"},
    "duration_minutes": {"zh": "{n}分钟", "en": "{n} minutes", "en_one": "1 minute"},
    "duration_hours": {"zh": "{n}小时", "en": "{n} hours", "en_one": "1 hour"},
    "still_queued_next": {
        "zh": "您的消息已收到，下一位就为您服务，请稍候。",
        "en": "Your message has been received. You are next in line; "
        "an agent will be with you shortly.",
    },
    "still_queued": {
        "zh": "您的消息已收到，正在为您转接人工客服，您前面还有{ahead}位客户。",
        "en": "Your message has been received. An agent will be with you shortly; "
        "{ahead} customers are ahead of you.",
        "en_one": "Your message has been received. An agent will be with you shortly; "
        "1 customer is ahead of you.",
    },
    "closed": {
        "zh": "本次会话已结束，感谢您的咨询，再见！",
        "en": "This conversation has ended. Thank you for contacting us, goodbye!",
    },
    # --- the handoff desk ---------------------------------------------------------
    "agent_joined": {
        "zh": "客服{name}已接入，很高兴为您服务。",
        "en": "Agent {name} has joined and will help you now.",
    },
    "agent_stepped_away": {
        "zh": "对不起，让您久等了。为您服务的客服暂时离开，已为您优先重新排队，请稍候。",
        "en": "Sorry to have kept you waiting. Your agent had to step away, so you are back "
        "at the front of the queue; the next agent will be with you shortly.",
    },
    "back_to_bot": {
        "zh": "人工服务已结束，智能客服将继续为您服务，请问还有什么可以帮您？",
        "en": "Our agent has finished. The virtual assistant is here again: "
        "is there anything else I can help with?",
    },
    "agent_closed": {
        "zh": "本次人工服务已结束，感谢您的咨询，再见！",
        "en": "This conversation with our agent has ended. Thank you, goodbye!",
    },
    "csat_prompt": {
        "zh": "请问您对本次服务是否满意？",
        "en": "How satisfied were you with this service?",
    },
    "csat_thanks": {
        "zh": "感谢您的评价，我们会继续努力！",
        "en": "Thank you for your feedback!",
    },
    "queue_update": {
        "zh": "请稍候，我们没有忘记您：您目前排在第{position}位，预计等待{wait}。",
        "en": "Thank you for waiting, we haven't forgotten you: you are number {position} "
        "in the queue, {wait} to go.",
    },
    "queue_update_no_estimate": {
        "zh": "请稍候，我们没有忘记您：您目前排在第{position}位，暂无客服在线。",
        "en": "Thank you for waiting, we haven't forgotten you: you are number {position} "
        "in the queue; no agent is online at the moment.",
    },
    # --- the widget's status line while waiting (HandoffInfo.notice) ------------
    "queue_notice": {
        "zh": "排队中：您前面还有 {ahead} 位客户，预计等待{wait}。",
        "en": "In the queue: {ahead} customers ahead of you, {wait}.",
        "en_one": "In the queue: 1 customer ahead of you, {wait}.",
    },
    "queue_notice_next": {
        "zh": "排队中：下一位就是您，预计等待{wait}。",
        "en": "In the queue: you are next, {wait}.",
    },
    "queue_notice_no_estimate": {
        "zh": "排队中：您前面还有 {ahead} 位客户，目前暂无客服在线。",
        "en": "In the queue: {ahead} customers ahead of you; no agent is online right now.",
        "en_one": "In the queue: 1 customer ahead of you; no agent is online right now.",
    },
    "queue_notice_next_no_estimate": {
        "zh": "排队中：下一位就是您，目前暂无客服在线。",
        "en": "In the queue: you are next; no agent is online right now.",
    },
    "queue_notice_urgent": {
        "zh": "排队中：您已排在最前面，客服马上为您服务。",
        "en": "In the queue: you are first, an agent will be with you right away.",
    },
    # --- long queues: wait, a callback slot, or a message answered later ---------
    "overflow_offer_long": {
        "zh": "目前排队人数较多，预计等待{wait}。您可以选择：继续等待；"
        "预约回电，在您选择的时段由客服致电您；或者留言，客服的回复会显示在这里，您可以先关闭页面，稍后回来查看。",
        "en": "The queue is long right now: the estimated wait is {wait}. You can keep waiting; "
        "book a callback at a time you choose; or leave a message and read the agent's reply "
        "here later (you can close the page meanwhile).",
    },
    "overflow_offer_closed": {
        "zh": "目前是非人工服务时间（人工服务时间为每天{hours}，北京时间）。您可以选择：继续等待；"
        "预约回电，在人工服务时间内选择方便的时段；或者留言，客服的回复会显示在这里，"
        "您可以先关闭页面，稍后回来查看。",
        "en": "Our agents are available {hours} (Beijing time), so it may take a while. "
        "You can keep waiting; book a callback at a time you choose within those hours; "
        "or leave a message and read the agent's reply here later (you can close the page "
        "meanwhile).",
    },
    "overflow_offer_busy": {
        "zh": "目前暂无客服在线。您可以选择：继续等待；预约回电，在您选择的时段由客服致电您；"
        "或者留言，客服的回复会显示在这里，您可以先关闭页面，稍后回来查看。",
        "en": "No agent is available right now. You can keep waiting; book a callback at a "
        "time you choose; or leave a message and read the agent's reply here later (you "
        "can close the page meanwhile).",
    },
    "callback_pick_slot": {
        "zh": "好的，请选择方便接听电话的时段（北京时间）：",
        "en": "Of course. Please choose a time for our call (Beijing time):",
    },
    "callback_slot_taken": {
        "zh": "抱歉，这个时段已经约满或已过，请选择其他时段：",
        "en": "Sorry, that time is no longer available. Please choose another one:",
    },
    "callback_no_slots": {
        "zh": "抱歉，近期的回电时段都已约满。您可以继续等待，或者留言。",
        "en": "Sorry, every callback time in the coming days is taken. You can keep waiting "
        "or leave a message.",
    },
    "message_left": {
        "zh": "好的，请直接输入您的问题，客服会在这里回复您（一般在{sla}内）。您可以先关闭页面，"
        "回复到达后再次打开聊天窗口即可看到，聊天图标上会有未读提示。本会话将为您保留{hours}小时。",
        "en": "Of course. Type your question here and an agent will reply in this chat, "
        "usually within {sla}. You can close the page: when you open the chat again you'll "
        "see the reply, with a badge on the chat button. This conversation stays open for "
        "{hours} hours.",
        "en_one": "Of course. Type your question here and an agent will reply in this chat, "
        "usually within {sla}. You can close the page: when you open the chat again you'll "
        "see the reply, with a badge on the chat button. This conversation stays open for "
        "1 hour.",
    },
    "message_noted": {
        "zh": "您的留言已收到，客服的回复会显示在这里。",
        "en": "Your message is with our team; the reply will appear here.",
    },
    "message_notice": {
        "zh": "您已留言，客服的回复会显示在这里，您可以先关闭页面。",
        "en": "Message left: the agent's reply will appear here, so you can close the page.",
    },
    "message_expired": {
        "zh": "本次留言会话已到保留期限，现已结束。如仍需帮助，欢迎随时再次咨询。",
        "en": "This message conversation has reached the end of the time we keep it open. "
        "You're welcome to start a new chat any time.",
    },
    "callback_ask_phone": {
        "zh": "好的，请输入您的11位手机号码，我们将在{when}致电您。",
        "en": "Of course. Please type your 11-digit mobile number and we'll call you at {when}.",
    },
    "callback_bad_phone": {
        "zh": "抱歉，这个号码好像不完整，请输入11位手机号码，或选择继续排队。",
        "en": "Sorry, that doesn't look like a complete mobile number. Please type the "
        "11 digits, or keep waiting in the queue.",
    },
    "callback_booked": {
        "zh": "已为您预约回电，编号{reference}。我们将于{when}致电{phone}，请保持电话畅通。"
        "本次会话已结束，感谢您的耐心。",
        "en": "Your callback is booked, reference {reference}. We'll call {phone} at {when}. "
        "This chat is now closed; thank you for your patience.",
    },
    "keep_waiting": {
        "zh": "好的，请稍候，客服将尽快为您服务。",
        "en": "Of course. Please stay here; an agent will be with you as soon as possible.",
    },
    "left_queue": {
        "zh": "已为您取消人工排队，本次会话已结束。如需帮助，欢迎随时再次咨询。",
        "en": "You've left the queue and this conversation has ended. "
        "You're welcome to start a new chat any time.",
    },
    "button_callback": {"zh": "预约回电", "en": "Call me back"},
    "button_leave": {"zh": "离开排队", "en": "Leave the queue"},
    "button_keep_waiting": {"zh": "继续排队", "en": "Keep waiting"},
    "button_leave_message": {"zh": "留言，稍后看回复", "en": "Leave a message"},
    "csat_very_satisfied": {"zh": "非常满意", "en": "Very satisfied"},
    "csat_neutral": {"zh": "一般", "en": "Neutral"},
    "csat_dissatisfied": {"zh": "不满意", "en": "Dissatisfied"},
}

BILINGUAL_SEPARATOR = "\n"


def phrase(key: str, language: str | None, *, count: int | None = None, **values: Any) -> str:
    """The phrase in `language`; both languages when the language is not known yet.

    ``count``: the number the phrase counts; when it is one, a language's
    singular variant (``en_one``: "1 customer is ahead") replaces the plural.
    """
    variants = _PHRASES[key]

    def text(lang: str) -> str:
        template = variants.get(f"{lang}_one") if count == 1 else None
        return (template or variants[lang]).format(**values)

    if language in ("zh", "en") and language in variants:
        return text(language)
    return BILINGUAL_SEPARATOR.join(text(lang) for lang in ("zh", "en"))


def button_title(key: str, language: str | None) -> str:
    """A button label: one language if known, else "中文 / English" on one line."""
    variants = _PHRASES[key]
    if language in variants:
        return variants[language]
    return f"{variants['zh']} / {variants['en']}"


# The banks' standard service phrases (docs/requirements.md): the agents' canned replies.
# `{name}` is the agent's display name, filled in by the console.
CANNED_REPLIES: tuple[dict[str, str], ...] = (
    {
        "key": "greeting",
        "situation": "问候 Greeting",
        "zh": "您好，海港银行，{name}为您服务，请问有什么可以帮您？",
        "en": "Hello, Harbour Bank, {name} here. How can I help you?",
    },
    {
        "key": "agreeing",
        "situation": "认同 Agreeing",
        "zh": "是的，我同意您的看法。",
        "en": "Yes, I agree with you.",
    },
    {
        "key": "asking_to_wait",
        "situation": "请稍等 Asking to wait",
        "zh": "请稍等，我马上为您查询/办理。",
        "en": "One moment please, I'm checking that for you now.",
    },
    {
        "key": "after_wait",
        "situation": "久等 After a wait",
        "zh": "对不起，让您久等了。",
        "en": "Sorry to have kept you waiting.",
    },
    {
        "key": "customer_impatient",
        "situation": "客户着急 Customer impatient",
        "zh": "对不起，我正在为您办理。",
        "en": "Sorry, I'm working on it for you right now.",
    },
    {
        "key": "did_not_understand",
        "situation": "没听清 Did not understand",
        "zh": "对不起，麻烦您将刚才的问题再描述一遍，好吗？",
        "en": "Sorry, could you describe the question once more?",
    },
    {
        "key": "proposing",
        "situation": "建议 Proposing",
        "zh": "您看这样可以吗？",
        "en": "Would this work for you?",
    },
    {
        "key": "declining",
        "situation": "婉拒 Declining",
        "zh": "我能为您做的是……，其他问题请致电95-000，他们会进一步帮助您。",
        "en": "What I can do for you is …; for the rest, our hotline 95-000 will help you further.",
    },
    {
        "key": "promising",
        "situation": "承诺 Promising",
        "zh": "我们会尽快为您处理。",
        "en": "We'll handle it as quickly as we can.",
    },
    {
        "key": "suggestion_received",
        "situation": "收到建议 Suggestion received",
        "zh": "感谢您提出的宝贵建议，我们会及时反馈给相关部门。",
        "en": "Thank you for the suggestion; we'll pass it on to the team concerned.",
    },
    {
        "key": "system_failure",
        "situation": "系统故障 System failure",
        "zh": "非常抱歉，系统正在升级，请您稍后再试，或致电95-000。",
        "en": "We're very sorry, the system is being upgraded; please try again shortly "
        "or call 95-000.",
    },
    {
        "key": "customer_apologises",
        "situation": "客户致歉 Customer apologises",
        "zh": "没关系，请不必介意。",
        "en": "No problem at all.",
    },
    {
        "key": "customer_thanks",
        "situation": "客户致谢 Customer thanks",
        "zh": "不客气，这是我们应该做的，感谢您对我们工作的支持。",
        "en": "You're welcome, it's our job. Thank you for your support.",
    },
    {
        "key": "checking_understanding",
        "situation": "确认理解 Checking understanding",
        "zh": "请问我刚才的解释您是否清楚？",
        "en": "Was my explanation clear?",
    },
    {
        "key": "closing",
        "situation": "结束 Closing",
        "zh": "请问还有什么可以帮您？感谢您的咨询，再见！",
        "en": "Is there anything else I can help with? Thank you, goodbye!",
    },
)
